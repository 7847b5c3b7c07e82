package org.migrationlab.migration.journal;

import java.util.UUID;

/**
 * The port through which a migration session records ownership transitions. A call returns once the record
 * is durable; it throws when it could not be made durable, and the caller must then not let the transition
 * take effect (fail the migration instead).
 */
@FunctionalInterface
public interface OwnershipJournal {
    /** Journals nothing and costs nothing: the default, without a state directory. */
    OwnershipJournal NONE = (migrationId, phase, owner) -> {
    };

    void record(UUID migrationId, Phase phase, Owner owner);

    /**
     * This side's switch-over begins: the disk flush of what is recorded from now on may wait (a
     * {@link FlushGate}) until {@link #switchOverEnded}. {@link #record} still returns only once the record
     * outlives the process; only the flush that adds survival of the machine's crash waits, so that it does not
     * run beside the switch-over on the same cores. Each call is followed by exactly one
     * {@link #switchOverEnded}.
     */
    default void switchOverBegins() {
    }

    /** The switch-over that {@link #switchOverBegins} announced is over (or failed): held flushes may start. */
    default void switchOverEnded() {
    }

    /** For the way out of a failure: the guest must be given back whether or not the record could be made. */
    default void recordBestEffort(UUID migrationId, Phase phase, Owner owner) {
        if (migrationId == null) {
            return; // the migration never got an id: it never left this side
        }
        try {
            record(migrationId, phase, owner);
        } catch (RuntimeException e) {
            // Nothing better to do here: the failure that led here is what the caller reports.
        }
    }
}
