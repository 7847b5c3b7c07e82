package org.migrationlab.emulator.machine;

import org.migrationlab.emulator.devices.KvRequestStream;
import org.migrationlab.emulator.image.BootArgs;

/**
 * What a machine is: its RAM size and boot arguments (workload, args, seed). Immutable and validated.
 *
 * @param countInstructions count every executed instruction exactly (an upcall per instruction: the
 *                          guest runs tens of times slower)
 * @param paging            host page tables (the normal case), or none at all, which only the
 *                          benchmark that measures the cost of paging uses: without page tables no
 *                          page can be absent or write-protected, so nothing can be migrated
 */
public record MachineConfig(long ramBytes, BootArgs bootArgs, boolean countInstructions, Paging paging) {

    /** Whether the guest runs under the host's page tables. */
    public enum Paging {
        HOST_PAGE_TABLES,
        /** Flat physical addressing, no traps: for measuring what paging costs. */
        OFF
    }

    public MachineConfig(long ramBytes, BootArgs bootArgs, boolean countInstructions) {
        this(ramBytes, bootArgs, countInstructions, Paging.HOST_PAGE_TABLES);
    }

    public static final long MIN_RAM_BYTES = 4L << 20;
    public static final long MAX_RAM_BYTES = 64L << 30;

    public MachineConfig {
        if (ramBytes < MIN_RAM_BYTES || ramBytes > MAX_RAM_BYTES || ramBytes % 4096 != 0) {
            throw new IllegalArgumentException("memory must be a multiple of 4 KiB between 4 MiB and 64 GiB, got "
                    + ramBytes + " bytes");
        }
        java.util.Objects.requireNonNull(bootArgs, "bootArgs");
        java.util.Objects.requireNonNull(paging, "paging");
    }

    public static MachineConfig of(long ramBytes, BootArgs bootArgs) {
        return new MachineConfig(ramBytes, bootArgs, false);
    }

    /** The request stream of the ring device, from the boot arguments requests=, keys=, value-max=. */
    public KvRequestStream.KvConfig kvConfig() {
        KvRequestStream.KvConfig d = KvRequestStream.KvConfig.defaults();
        try {
            return new KvRequestStream.KvConfig(
                    bootArgs.arg("requests").map(Long::parseLong).orElse(d.requests()),
                    bootArgs.arg("keys").map(Long::parseLong).orElse(d.keys()),
                    bootArgs.arg("value-max").map(Integer::parseInt).orElse(d.valueMax()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("requests=, keys= and value-max= take whole numbers: " + e.getMessage());
        }
    }
}
