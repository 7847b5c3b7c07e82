package org.migrationlab.emulator.machine;

import java.util.LinkedHashMap;
import java.util.Map;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.devices.Device;
import org.migrationlab.emulator.devices.DeviceBus;

/**
 * How often the guest's run was interrupted, by kind: what a hardware VMM would count as VM exits.
 * Most hypercalls never end a slice (devices serve them inside the engine's {@code out} hook and the
 * guest goes on), so slices alone would hide them; hypercalls are therefore counted where they are
 * dispatched, by device, and slice ends are counted by how they ended. Owned by the vCPU thread; read
 * after a run (or while the guest is paused).
 *
 * <p>{@link #asMap()} keys, in this order:
 * <ul>
 *   <li>{@code page-fault}: every page fault that ended a slice, including
 *       {@code dirty-log-fault}: those taken by write-protect dirty logging (resolved by the machine);</li>
 *   <li>{@code hypercall}: every hypercall the guest made, and {@code hypercall-NAME} for each attached
 *       device NAME ({@code exit}, {@code console}, {@code clock}, {@code counters}, {@code ring},
 *       {@code stream}, and extra devices such as {@code balloon}): those made to it;</li>
 *   <li>{@code host-return}: hypercalls whose device needed the host between slices (deferred work);</li>
 *   <li>{@code halt}, {@code pause}, {@code guest-crash}, {@code error}: slices that ended so.</li>
 * </ul>
 */
public final class ExitCounts {
    private final DeviceBus devices;
    private long pageFaults;
    private long dirtyLogFaults;
    private long hostReturns;
    private long halts;
    private long pauses;
    private long crashes;
    private long errors;

    ExitCounts(DeviceBus devices) {
        this.devices = devices;
    }

    void count(VcpuExit exit) {
        switch (exit) {
            case VcpuExit.PageFault f -> pageFaults++;
            case VcpuExit.Hypercall h -> hostReturns++;
            case VcpuExit.Halt h -> halts++;
            case VcpuExit.Paused p -> pauses++;
            case VcpuExit.GuestCrash c -> crashes++;
            case VcpuExit.Error e -> errors++;
        }
    }

    void countDirtyLogFault() {
        dirtyLogFaults++;
    }

    /** All page faults, including those taken by write-protect dirty logging. */
    public long pageFaults() {
        return pageFaults;
    }

    public long dirtyLogFaults() {
        return dirtyLogFaults;
    }

    /** Every hypercall the guest made, to any device. */
    public long hypercalls() {
        long total = 0;
        for (Device device : devices.devices()) {
            total += devices.calls(device);
        }
        return total;
    }

    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("page-fault", pageFaults);
        map.put("dirty-log-fault", dirtyLogFaults);
        map.put("hypercall", hypercalls());
        for (Device device : devices.devices()) {
            map.put("hypercall-" + device.name(), devices.calls(device));
        }
        map.put("host-return", hostReturns);
        map.put("halt", halts);
        map.put("pause", pauses);
        map.put("guest-crash", crashes);
        map.put("error", errors);
        return map;
    }
}
