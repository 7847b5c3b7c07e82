package org.migrationlab.balloon.testing;

import org.migrationlab.balloon.device.BalloonDevice;
import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.testing.KernelGuests;

/** Boots the guest kernel with a balloon device attached, and reads what a test needs back. */
public final class BalloonGuests {
    private BalloonGuests() {
    }

    /** The kernel booted with {@code config} and a balloon device using {@code policy}. */
    public static Machine boot(MachineConfig config, BalloonPolicy policy) {
        return Machine.boot(config, KernelGuests.kernel(), BalloonDevice.factory(policy));
    }

    public static BalloonDevice balloon(Machine machine) {
        return machine.device(BalloonDevice.class).orElseThrow(() -> new AssertionError("no balloon device"));
    }

    /** Runs to the guest's exit and returns it; anything else fails the test with the console. */
    public static VcpuExit.Halt runToHalt(Machine machine) {
        VcpuExit exit = machine.run();
        if (!(exit instanceof VcpuExit.Halt halt)) {
            throw new AssertionError("guest did not halt: " + exit + "\nconsole:\n" + machine.console().text());
        }
        return halt;
    }
}
