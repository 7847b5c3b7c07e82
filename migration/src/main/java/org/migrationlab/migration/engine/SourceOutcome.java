package org.migrationlab.migration.engine;

import java.util.Optional;

import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.migration.report.MigrationReport;

/** How an {@link OutgoingMigration} ended, as the source sees it. */
public sealed interface SourceOutcome {
    /**
     * A guest's end on this side.
     *
     * @param wallNanos how long it ran here, from its start to its end
     */
    record EndedHere(GuestEnd end, GuestSummary summary, long wallNanos) {
    }

    /** The guest ended before the trigger fired: nothing was migrated. */
    record EndedBeforeMigration(EndedHere guest) implements SourceOutcome {
    }

    /** The migration completed: the guest lives on at the destination. */
    record Migrated(MigrationReport report) implements SourceOutcome {
    }

    /**
     * The migration failed. When it failed before the destination took the guest, the guest ran on
     * here to its end ({@code ranOnHere}); otherwise the destination has it and this side holds only
     * its paused copy.
     */
    record Failed(MigrationReport report, Optional<EndedHere> ranOnHere) implements SourceOutcome {
    }
}
