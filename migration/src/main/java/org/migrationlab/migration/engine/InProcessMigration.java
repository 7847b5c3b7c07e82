package org.migrationlab.migration.engine;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * One whole migration with both ends in this JVM over loopback, through the same sessions and transport
 * as two processes: boot, run until a progress point, migrate, let the destination finish the guest. For
 * benchmarks and the evaluation, which run many migrations and compare their figures.
 */
public final class InProcessMigration {
    private static final long WAIT_SECONDS = 600;

    /**
     * @param report          the source's report
     * @param destinationExit how the migrated guest ended at the destination
     * @param destinationHash its memory hash at the end
     * @param rateAfter       its progress per second after the switch-over
     */
    public record Outcome(MigrationReport report, GuestEnd.Halted destinationExit, long destinationHash,
                          double rateAfter) {
    }

    /**
     * Who watches a migration as it runs (the evaluation's bandwidth trace): each hook is called once, on an
     * engine thread, and must return at once.
     */
    public interface Watcher {
        Watcher NONE = new Watcher() { };

        /** The source's guest is built but not started. */
        default void sourceBooted(Migratable guest) {
        }

        /** The migration starts, its live statistics in {@code progress}. */
        default void migrating(MigrationProgress progress) {
        }

        /** The destination's session for this migration exists (its guest is built when GUEST_CONFIG comes). */
        default void destination(DestinationSession session) {
        }
    }

    private InProcessMigration() {
    }

    /** Migrates once; throws if the migration fails or the guest ends before {@code startAtProgress}. */
    public static Outcome run(GuestFactory machines, MachineConfig config, GuestImage image, MigrationConfig migration,
                              TransportConfig transport, long startAtProgress) throws Exception {
        return run(machines, config, image, migration, transport, transport, startAtProgress);
    }

    /**
     * As {@link #run(GuestFactory, MachineConfig, GuestImage, MigrationConfig, TransportConfig, long)}, with
     * each end's own transport: a fault plan belongs to the source's alone (the source injects it).
     */
    public static Outcome run(GuestFactory machines, MachineConfig config, GuestImage image, MigrationConfig migration,
                              TransportConfig sourceTransport, TransportConfig destinationTransport,
                              long startAtProgress) throws Exception {
        return run(machines, config, image, migration, sourceTransport, destinationTransport, startAtProgress,
                Watcher.NONE);
    }

    /** As the other {@code run}s, with {@code watcher} told of both ends as they come. */
    public static Outcome run(GuestFactory machines, MachineConfig config, GuestImage image, MigrationConfig migration,
                              TransportConfig sourceTransport, TransportConfig destinationTransport,
                              long startAtProgress, Watcher watcher) throws Exception {
        return run(machines, config, image, migration, sourceTransport, destinationTransport, startAtProgress,
                GuestHold.NONE, watcher);
    }

    /**
     * As the other {@code run}s, the source's guest parked once its progress reaches {@code holdAt} (at least
     * {@code startAtProgress}; -1 for no hold) until the migration is over: where the guest stands at the
     * switch-over is then set by the caller, not by how fast this machine happened to run it meanwhile.
     */
    public static Outcome run(GuestFactory machines, MachineConfig config, GuestImage image, MigrationConfig migration,
                              TransportConfig sourceTransport, TransportConfig destinationTransport,
                              long startAtProgress, long holdAt, Watcher watcher) throws Exception {
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        incoming.thenAccept(watcher::destination);
        Destinations destinations = new Destinations(machines, 1, 1L << 36, destinationTransport.replyTimeoutMillis(),
                incoming::complete);
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), destinationTransport,
                destinations::resolve);
             MigrationClient client = new MigrationClient(sourceTransport)) {
            DestinationEnd destinationEnd = new DestinationEnd(incoming, watcher);
            SourceOutcome source = OutgoingMigration.run(new OutgoingMigration.Request(machines, config, image,
                    new StartTrigger.AtProgress(startAtProgress), migration, client, server.address(),
                    sourceTransport.replyTimeoutMillis()).withHoldAt(holdAt), destinationEnd);
            MigrationReport report = switch (source) {
                case SourceOutcome.Migrated migrated -> migrated.report();
                case SourceOutcome.Failed failed -> throw new IllegalStateException("migration failed: "
                        + failed.report().error());
                case SourceOutcome.EndedBeforeMigration ended -> throw new IllegalStateException(
                        "the guest ended before progress " + startAtProgress);
            };
            IncomingMigration.Outcome destination = destinationEnd.outcome();
            if (!(destination instanceof IncomingMigration.Outcome.Ended ended)
                    || !(ended.end() instanceof GuestEnd.Halted halt)) {
                throw new IllegalStateException("migrated guest ended with " + destination);
            }
            return new Outcome(report, halt, ended.summary().memoryHash(), ended.progressRateAfter());
        }
    }

    /**
     * Waits, once the source reports a completed migration, for the migrated guest to end at the destination,
     * before the source releases its frozen copy. Both guests' RAM is then given back together at the end of
     * each migration, so each migration of a series starts from the same state of host memory. Released
     * earlier, while the destination still runs for seconds, the source's RAM made the next migrations'
     * post-copy 1.7 times slower on a 2-core virtual machine, with the engine unchanged (measured both ways in
     * one rotated run): the order of two frees must not move a benchmark.
     */
    private static final class DestinationEnd implements OutgoingMigration.Observer {
        private final CompletableFuture<DestinationSession> incoming;
        private final Watcher watcher;
        private IncomingMigration.Outcome outcome;
        private RuntimeException failure;

        DestinationEnd(CompletableFuture<DestinationSession> incoming, Watcher watcher) {
            this.incoming = incoming;
            this.watcher = watcher;
        }

        @Override
        public void booted(Migratable guest) {
            watcher.sourceBooted(guest);
        }

        @Override
        public void migrating(long progressUnits, MigrationProgress progress) {
            watcher.migrating(progress);
        }

        @Override
        public void migrated(MigrationReport report) {
            if (!report.completed()) {
                return;
            }
            try {
                outcome = IncomingMigration.receive(incoming.get(WAIT_SECONDS, TimeUnit.SECONDS),
                        new IncomingMigration.Observer() { });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException("interrupted while the migrated guest ran", e);
            } catch (ExecutionException | TimeoutException e) {
                failure = new IllegalStateException("no destination session: " + e, e);
            }
        }

        IncomingMigration.Outcome outcome() {
            if (failure != null) {
                throw failure;
            }
            if (outcome == null) {
                throw new IllegalStateException("the source reported a completed migration, yet no guest arrived");
            }
            return outcome;
        }
    }
}
