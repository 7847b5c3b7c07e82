package org.migrationlab.balloon.policy;

import java.util.Objects;

/**
 * Which balloon policy a machine uses, and its settings (see {@link SelfBalloonPolicy} for their
 * meaning; {@link NoBalloon} has none). Immutable and validated; {@link BalloonPolicies#create} builds
 * the policy. The wake-up interval and the guest's own reserve are the guest's boot arguments
 * ({@code dsb-interval=}, {@code dsb-reserve=}, WORKLOADS.md), not part of this.
 */
public record BalloonConfig(String policy, long reservePages, int inflatePermille, int backoffIntervals,
                            long hysteresisPages, long maxInflatePages) {
    public BalloonConfig {
        Objects.requireNonNull(policy, "policy");
        if (!BalloonPolicies.names().contains(policy)) {
            throw new IllegalArgumentException("unknown balloon policy '" + policy + "'; known: " + BalloonPolicies.names());
        }
        // The remaining checks are the policy's own; building it once reports them here.
        new SelfBalloonPolicy(reservePages, inflatePermille, backoffIntervals, hysteresisPages, maxInflatePages);
    }

    /** Self-ballooning with the settings of Hines and Gopalan (VEE'09, {@link SelfBalloonPolicy#paper()}). */
    public static BalloonConfig defaults() {
        SelfBalloonPolicy paper = SelfBalloonPolicy.paper();
        return new BalloonConfig(SelfBalloonPolicy.NAME, paper.reservePages(), paper.inflatePermille(),
                paper.backoffIntervals(), paper.hysteresisPages(), paper.maxInflatePages());
    }

    /** The same settings with another policy. */
    public BalloonConfig withPolicy(String name) {
        return new BalloonConfig(name, reservePages, inflatePermille, backoffIntervals, hysteresisPages, maxInflatePages);
    }
}
