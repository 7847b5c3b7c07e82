package org.migrationlab.balloon.device;

import org.migrationlab.balloon.policy.BalloonConfig;
import org.migrationlab.emulator.machine.Machines;
import org.migrationlab.emulator.port.GuestFactory;

/**
 * The machines every migration uses: the built-in devices plus the balloon with the paper's
 * self-ballooning settings. Both ends must have the same devices, so both build machines here; a guest
 * booted without {@code dsb=on} simply never calls the balloon.
 */
public final class BalloonedMachines {
    private static final GuestFactory FACTORY = new Machines(BalloonDevice.factory(BalloonConfig.defaults()));

    private BalloonedMachines() {
    }

    public static GuestFactory factory() {
        return FACTORY;
    }
}
