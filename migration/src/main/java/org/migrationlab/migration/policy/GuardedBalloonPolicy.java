package org.migrationlab.migration.policy;

import java.util.Objects;

import org.migrationlab.balloon.policy.BalloonPolicy;

/**
 * A loaded balloon policy behind a guard: an exception, a call over the time limit or a size outside
 * {@code [0, totalPages]} drops it for the built-in policy. The balloon never decides what a guest computes
 * (the guest takes pages back whenever it needs them), so any answer in range is safe.
 */
public final class GuardedBalloonPolicy implements BalloonPolicy {
    private final BalloonPolicy loaded;
    private final BalloonPolicy builtIn;
    private final Guard guard;

    GuardedBalloonPolicy(BalloonPolicy loaded, BalloonPolicy builtIn, Guard guard) {
        this.loaded = loaded;
        this.builtIn = Objects.requireNonNull(builtIn, "builtIn");
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    @Override
    public String name() {
        return guard.describe();
    }

    @Override
    public long targetPages(Observation now) {
        Long answer;
        try {
            answer = guard.call("targetPages()", () -> loaded.targetPages(now));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = null;
        }
        if (answer == null) {
            return builtIn.targetPages(now);
        }
        if (answer < 0 || answer > now.totalPages()) {
            guard.fail("targetPages() answered " + answer + " pages, outside 0.." + now.totalPages());
            return builtIn.targetPages(now);
        }
        return answer;
    }

    /** Whether the built-in policy took over. */
    public boolean fellBack() {
        return guard.fellBack();
    }

    @Override
    public String toString() {
        return name();
    }
}
