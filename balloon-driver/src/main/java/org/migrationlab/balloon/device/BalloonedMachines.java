package org.migrationlab.balloon.device;

import java.util.Objects;
import java.util.function.Supplier;

import org.migrationlab.balloon.policy.BalloonConfig;
import org.migrationlab.balloon.policy.BalloonPolicy;
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

    /**
     * The same machines with the balloon deciding by another policy: {@code policies} gives each machine its
     * own (a guarded loaded policy remembers whether it fell back).
     */
    public static GuestFactory factory(Supplier<BalloonPolicy> policies) {
        Objects.requireNonNull(policies, "policies");
        return new Machines(resources -> new BalloonDevice(resources, policies.get()));
    }
}
