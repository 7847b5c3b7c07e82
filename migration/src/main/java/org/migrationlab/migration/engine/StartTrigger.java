package org.migrationlab.migration.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.migrationlab.emulator.port.Migratable;

/** When a running guest starts migrating. */
public sealed interface StartTrigger {
    /** At once. */
    record Now() implements StartTrigger {
    }

    /** This long (wall time) after the guest started. */
    record AfterWallTime(long nanos) implements StartTrigger {
        public AfterWallTime {
            if (nanos < 0) {
                throw new IllegalArgumentException("a negative delay: " + nanos + " ns");
            }
        }
    }

    /** Once the guest's progress counter reached {@code units}. */
    record AtProgress(long units) implements StartTrigger {
        public AtProgress {
            if (units < 0) {
                throw new IllegalArgumentException("a negative progress: " + units);
            }
        }
    }

    StartTrigger NOW = new Now();

    /** Completes when the trigger fires for {@code guest}, which is about to start. */
    default CompletableFuture<Void> armOn(Migratable guest) {
        return switch (this) {
            case Now now -> CompletableFuture.completedFuture(null);
            case AfterWallTime after -> new CompletableFuture<Void>().completeOnTimeout(null, after.nanos(),
                    TimeUnit.NANOSECONDS);
            case AtProgress at -> guest.progressReached(at.units());
        };
    }
}
