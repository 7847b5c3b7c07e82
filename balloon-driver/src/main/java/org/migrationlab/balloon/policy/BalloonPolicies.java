package org.migrationlab.balloon.policy;

import java.util.List;

/** The balloon policies by name: {@value SelfBalloonPolicy#NAME} and {@value NoBalloon#NAME}. */
public final class BalloonPolicies {
    private static final List<String> NAMES = List.of(SelfBalloonPolicy.NAME, NoBalloon.NAME);

    private BalloonPolicies() {
    }

    public static List<String> names() {
        return NAMES;
    }

    public static BalloonPolicy create(BalloonConfig config) {
        return switch (config.policy()) {
            case SelfBalloonPolicy.NAME -> new SelfBalloonPolicy(config.reservePages(), config.inflatePermille(),
                    config.backoffIntervals(), config.hysteresisPages(), config.maxInflatePages());
            case NoBalloon.NAME -> new NoBalloon();
            default -> throw new IllegalArgumentException("unknown balloon policy '" + config.policy() + "'; known: " + NAMES);
        };
    }

    /** The policy called {@code name}, with default settings. */
    public static BalloonPolicy byName(String name) {
        return create(BalloonConfig.defaults().withPolicy(name));
    }
}
