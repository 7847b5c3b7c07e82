package org.migrationlab.bench.harness;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.migration.engine.IncomingMigration;
import org.migrationlab.migration.engine.OutgoingMigration;
import org.migrationlab.migration.engine.SourceOutcome;
import org.migrationlab.migration.engine.StartTrigger;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * One benchmark migration with both ends in this JVM over loopback, through the engine's one-call API:
 * boot, run until a progress point, migrate, let the destination finish the guest. Returns the source's
 * report and the guest's end.
 */
final class LocalMigration {
    static final byte[] SECRET = "benchmark-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final long WAIT_SECONDS = 600;

    record Outcome(MigrationReport report, GuestEnd.Halted destinationExit, long destinationHash, double rateAfter) {
    }

    private LocalMigration() {
    }

    static Outcome run(MachineConfig config, GuestImage image, MigrationConfig migration, TransportConfig transport,
                       long startAtProgress) throws Exception {
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        Destinations destinations = new Destinations(BalloonedMachines.factory(), 1, 1L << 36,
                transport.replyTimeoutMillis(), incoming::complete);
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), transport,
                destinations::resolve);
             MigrationClient client = new MigrationClient(transport)) {
            SourceOutcome source = OutgoingMigration.run(new OutgoingMigration.Request(BalloonedMachines.factory(),
                    config, image, new StartTrigger.AtProgress(startAtProgress), migration, client, server.address(),
                    transport.replyTimeoutMillis()), new OutgoingMigration.Observer() { });
            MigrationReport report = switch (source) {
                case SourceOutcome.Migrated migrated -> migrated.report();
                case SourceOutcome.Failed failed -> throw new IllegalStateException("migration failed: "
                        + failed.report().error());
                case SourceOutcome.EndedBeforeMigration ended -> throw new IllegalStateException(
                        "the guest ended before progress " + startAtProgress);
            };
            IncomingMigration.Outcome destination = IncomingMigration.receive(
                    incoming.get(WAIT_SECONDS, TimeUnit.SECONDS), new IncomingMigration.Observer() { });
            if (!(destination instanceof IncomingMigration.Outcome.Ended ended)
                    || !(ended.end() instanceof GuestEnd.Halted halt)) {
                throw new IllegalStateException("migrated guest ended with " + destination);
            }
            return new Outcome(report, halt, ended.summary().memoryHash(), ended.progressRateAfter());
        }
    }
}
