package org.migrationlab.emulator.machine;

import org.migrationlab.emulator.devices.KvRequestStream;
import org.migrationlab.emulator.image.BootArgs;

/**
 * What a machine is: its RAM size and boot arguments (workload, args, seed). Immutable and validated.
 *
 * @param countInstructions count every executed instruction exactly (an upcall per instruction: the
 *                          guest runs tens of times slower)
 */
public record MachineConfig(long ramBytes, BootArgs bootArgs, boolean countInstructions) {
    public static final long MIN_RAM_BYTES = 4L << 20;
    public static final long MAX_RAM_BYTES = 64L << 30;

    public MachineConfig {
        if (ramBytes < MIN_RAM_BYTES || ramBytes > MAX_RAM_BYTES || ramBytes % 4096 != 0) {
            throw new IllegalArgumentException("memory must be a multiple of 4 KiB between 4 MiB and 64 GiB, got "
                    + ramBytes + " bytes");
        }
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
