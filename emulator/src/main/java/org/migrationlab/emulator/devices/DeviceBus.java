package org.migrationlab.emulator.devices;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The machine's devices, by I/O port. Dispatches hypercalls (an unknown port or operation is a guest
 * error), counts them by device, and saves or restores every device's state as one blob:
 * magic "DEVS" (u32), count (u32), then per device: port (u32), length (u32), state bytes.
 * The counts are statistics of this machine's run, not device state: they do not migrate.
 */
public final class DeviceBus {
    private static final int MAGIC = 0x53564544; // "DEVS"
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

    public byte[] saveAll() {
        List<byte[]> states = new ArrayList<>();
        int size = 8;
        for (Device device : devices) {
            byte[] state = device.saveState();
            states.add(state);
            size += 8 + state.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            out.putInt(devices.get(i).port()).putInt(states.get(i).length).put(states.get(i));
        }
        return out.array();
    }

    /** Restores every device from {@link #saveAll()} output; all or nothing on validation errors. */
    public void restoreAll(byte[] blob) {
        ByteBuffer in = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        byte[][] states = new byte[256][];
        try {
            if (in.getInt() != MAGIC) {
                throw new IllegalArgumentException("device state: bad magic");
            }
            int count = in.getInt();
            if (count != devices.size()) {
                throw new IllegalArgumentException("device state has " + count + " devices, machine has " + devices.size());
            }
            for (int i = 0; i < count; i++) {
                int port = in.getInt();
                int length = in.getInt();
                if (port < 0 || port > 255 || byPort[port] == null || states[port] != null) {
                    throw new IllegalArgumentException("device state names unexpected port " + port);
                }
                if (length < 0 || length > in.remaining()) {
                    throw new IllegalArgumentException("device state truncated at port " + port);
                }
                states[port] = new byte[length];
                in.get(states[port]);
            }
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("device state is truncated");
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("device state has trailing bytes");
        }
        for (Device device : devices) {
            device.restoreState(states[device.port()]);
        }
    }
}
