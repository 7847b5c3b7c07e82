package org.migrationlab.migration.step;

/** What a user may tell a stepped migration. */
public sealed interface StepCommand {
    /** Go on without stopping. */
    record Run() implements StepCommand {
    }

    /** Stop at the next step point. */
    record Pause() implements StepCommand {
    }

    /**
     * While paused, run on until the next {@code step} is taken, and hold at the point after it; a
     * {@link Step#GUEST_SLICE guest slice} runs the parked guest one slice while the migration stays held.
     */
    record Advance(Step step) implements StepCommand {
        public Advance {
            java.util.Objects.requireNonNull(step, "step");
        }
    }
}
