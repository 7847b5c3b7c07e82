package org.migrationlab.migration.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.report.FaultStats;

/**
 * The destination's one call: wait for a guest arriving through {@link DestinationSession}, let it run
 * here to its end, report. The machine is closed before this returns.
 */
public final class IncomingMigration {
    /** How one incoming migration ended at the destination. */
    public sealed interface Outcome {
        /** The migration failed before the guest could run here; {@code why} is the session's error. */
        record Failed(Throwable why) implements Outcome {
        }

        /**
         * The guest arrived, ran here to its end and left this.
         *
         * @param config             the guest's RAM and boot arguments, as the source described them
         * @param progressRateDuring the guest's progress per second while post-copy pages arrived
         * @param progressRateAfter  its progress per second from its arrival (every page present) to its end
         */
        record Ended(MachineConfig config, FaultStats faults, double progressRateDuring, double progressRateAfter,
                     GuestEnd end, GuestSummary summary, long arrivalNanos) implements Outcome {
        }
    }

    /** Told of each step, on the calling thread. Every method has a do-nothing default. */
    public interface Observer {
        /** Every page has arrived and the guest runs here: the moment to echo its console. */
        default void arrived(DestinationSession.Arrival arrival, long afterNanos) {
        }
    }

    private IncomingMigration() {
    }

    public static Outcome receive(DestinationSession session, Observer observer) throws InterruptedException {
        long incoming = System.nanoTime();
        DestinationSession.Arrival arrival;
        try {
            arrival = session.arrival().get();
        } catch (ExecutionException e) {
            return new Outcome.Failed(e.getCause());
        }
        try (Migratable guest = arrival.guest()) {
            long arrived = System.nanoTime();
            long unitsAtArrival = guest.progress().units();
            observer.arrived(arrival, arrived - incoming);
            GuestEnd end = await(guest.ended());
            long ended = System.nanoTime();
            GuestSummary summary = await(guest.summary());
            double after = ended <= arrived ? Double.NaN
                    : (summary.progressUnits() - unitsAtArrival) * 1e9 / (ended - arrived);
            return new Outcome.Ended(guest.config(), arrival.faults(), arrival.progressRateDuring(), after, end,
                    summary, arrived - incoming);
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the guest's vCPU failed: " + e.getCause(), e.getCause());
        }
    }
}
