package org.migrationlab.migration.session;

import java.util.Optional;

import org.migrationlab.balloon.device.BalloonDevice;
import org.migrationlab.balloon.device.BalloonStats;
import org.migrationlab.balloon.policy.BalloonConfig;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.report.BalloonSummary;

/**
 * Builds the machines that take part in migrations. Both ends must have the same devices (the device
 * state blob is restored device by device), so every machine gets the base devices plus the balloon;
 * a guest booted with {@code dsb=off} simply never calls it. The host's balloon policy is
 * self-ballooning with the paper's settings on both ends.
 */
public final class GuestMachines {
    private GuestMachines() {
    }

    /** Boots {@code image} on a machine with the balloon device. */
    public static Machine boot(MachineConfig config, GuestImage image) {
        return Machine.boot(config, image, BalloonDevice.factory(BalloonConfig.defaults()));
    }

    /** An empty machine with the balloon device (a migration destination). */
    public static Machine empty(MachineConfig config) {
        return Machine.empty(config, BalloonDevice.factory(BalloonConfig.defaults()));
    }

    /**
     * The balloon's statistics now (vCPU thread, or while paused, for an exact size), with
     * {@code savedPages} as the report defines it ({@link BalloonSummary}).
     */
    public static BalloonSummary balloonSummary(Machine machine, long savedPages) {
        String dsb = "on".equals(machine.config().bootArgs().args().get("dsb")) ? "on" : "off";
        return balloon(machine).map(device -> {
            BalloonStats s = device.stats();
            return new BalloonSummary(dsb, s.balloonPages(), s.inflations(), s.deflations(), s.pressureDeflations(),
                    s.pagesReturned(), s.pagesReclaimed(), savedPages);
        }).orElse(BalloonSummary.NONE);
    }

    /** The machine's balloon, if it has one. */
    public static Optional<BalloonDevice> balloon(Machine machine) {
        return machine.device(BalloonDevice.class);
    }
}
