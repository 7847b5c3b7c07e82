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
