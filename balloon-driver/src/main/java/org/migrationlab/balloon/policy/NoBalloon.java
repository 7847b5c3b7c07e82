package org.migrationlab.balloon.policy;

/** No ballooning: the balloon should be empty, so a guest that holds pages in it gives them back. */
public record NoBalloon() implements BalloonPolicy {
    public static final String NAME = "none";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long targetPages(Observation now) {
        return 0;
    }
}
