package org.migrationlab.emulator.machine;

import java.util.LinkedHashMap;
import java.util.Map;

import org.migrationlab.emulator.cpu.VcpuExit;

/** How many slices ended in each kind of exit. Owned by the vCPU thread; read after a run. */
public final class ExitCounts {
    private long pageFaults;
    private long dirtyLogFaults;
    private long hypercalls;
    private long halts;
    private long pauses;
    private long crashes;
    private long errors;

    void count(VcpuExit exit) {
        switch (exit) {
            case VcpuExit.PageFault f -> pageFaults++;
            case VcpuExit.Hypercall h -> hypercalls++;
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

    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("page-fault", pageFaults);
        map.put("dirty-log-fault", dirtyLogFaults);
        map.put("hypercall", hypercalls);
        map.put("halt", halts);
        map.put("pause", pauses);
        map.put("guest-crash", crashes);
        map.put("error", errors);
        return map;
    }
}
