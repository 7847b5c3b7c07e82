package org.migrationlab.migration.step;

/** What a user may tell a stepped migration. */
public sealed interface StepCommand {
    /** Go on without stopping. */
    record Run() implements StepCommand {
    }

    /** Stop at the next step point. */
    record Pause() implements StepCommand {
    }

    /** While paused, run on until the next {@code step} is taken, and hold at the point after it. */
    record Advance(Step step) implements StepCommand {
        public Advance {
            java.util.Objects.requireNonNull(step, "step");
        }
    }
}
