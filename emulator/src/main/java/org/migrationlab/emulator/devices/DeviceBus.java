package org.migrationlab.emulator.devices;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.migrationlab.emulator.port.DeviceState;

/**
 * The machine's devices, by I/O port. Dispatches hypercalls (an unknown port or operation is a guest
 * error), counts them by device, and saves or restores every device's state, one {@link DeviceState} per
 * device. The counts are statistics of this machine's run, not device state: they do not migrate.
 */
public final class DeviceBus {
    private final Device[] byPort = new Device[256];
    private final long[] callsByPort = new long[256];
    private final List<Device> devices = new ArrayList<>();

    public DeviceBus attach(Device device) {
        int port = device.port();
        if (port < 0 || port > 255 || byPort[port] != null) {
            throw new IllegalArgumentException("port 0x" + Integer.toHexString(port) + " unavailable for " + device.name());
        }
        byPort[port] = device;
        devices.add(device);
        return this;
    }

    public List<Device> devices() {
        return Collections.unmodifiableList(devices);
    }

    /**
     * Serves one hypercall (on the vCPU thread, inside the engine's {@code out} hook) and counts it for
     * its device, whatever the device answers.
     */
    public HypercallOutcome dispatch(int port, int operation, HypercallContext call) {
        Device device = port >= 0 && port < 256 ? byPort[port] : null;
        if (device == null) {
            throw new BadHypercallException(port == Ports.BALLOON
                    ? "hypercall on the balloon port, but this machine has no balloon device"
                    : "hypercall on unknown port 0x" + Integer.toHexString(port));
        }
        callsByPort[port]++;
        return device.hypercall(operation, call);
    }

    /** Hypercalls made to {@code device} so far (vCPU thread, or between runs). */
    public long calls(Device device) {
        return byPort[device.port()] == device ? callsByPort[device.port()] : 0;
    }

    /** Every device's state, in attach order. */
    public List<DeviceState> saveAll() {
        List<DeviceState> states = new ArrayList<>(devices.size());
        for (Device device : devices) {
            DeviceState state = device.save();
            if (state.deviceId() != device.port()) {
                throw new IllegalStateException(device.name() + " saved a state for device 0x"
                        + Integer.toHexString(state.deviceId()));
            }
            states.add(state);
        }
        return states;
    }

    /**
     * Checks {@link #saveAll()} output from elsewhere without changing any device, and returns the step
     * that loads it: exactly one state per attached device and no other, each accepted by its device
     * ({@link Device#prepareRestore}). A refused set is an {@link IllegalArgumentException}.
     */
    public Runnable prepareRestore(List<DeviceState> states) {
        DeviceState[] byId = new DeviceState[256];
        for (DeviceState state : states) {
            int id = state.deviceId();
            if (id > 255 || byPort[id] == null) {
                throw new IllegalArgumentException("device state for device 0x" + Integer.toHexString(id)
                        + ", which this machine does not have");
            }
            if (byId[id] != null) {
                throw new IllegalArgumentException("two states for device 0x" + Integer.toHexString(id));
            }
            byId[id] = state;
        }
        for (Device device : devices) {
            if (byId[device.port()] == null) {
                throw new IllegalArgumentException("no state for the " + device.name() + " device");
            }
        }
        List<Runnable> steps = new ArrayList<>(devices.size());
        for (Device device : devices) {
            steps.add(device.prepareRestore(byId[device.port()]));
        }
        return () -> steps.forEach(Runnable::run);
    }

    /** Restores every device from {@link #saveAll()} output, all checked before any is loaded. */
    public void restoreAll(List<DeviceState> states) {
        prepareRestore(states).run();
    }
}
