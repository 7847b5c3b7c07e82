package org.migrationlab.bench.harness;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.VcpuRunner;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.GuestMachines;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.SourceSession;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * One benchmark migration with both ends in this JVM over loopback: boot, run until a progress point,
 * migrate, let the destination finish the guest. Returns the source's report and the guest's end.
 */
final class LocalMigration {
    static final byte[] SECRET = "benchmark-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final long WAIT_SECONDS = 600;

    record Outcome(MigrationReport report, VcpuExit.Halt destinationExit, long destinationHash, double rateAfter) {
    }

    private LocalMigration() {
    }

    static Outcome run(MachineConfig config, GuestImage image, MigrationConfig migration, TransportConfig transport,
                       long startAtProgress) throws Exception {
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        Destinations destinations = new Destinations(1, 1L << 36, transport.replyTimeoutMillis(), incoming::complete);
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), transport,
                destinations::resolve);
             MigrationClient client = new MigrationClient(transport);
             Machine source = GuestMachines.boot(config, image)) {
            CompletableFuture<Void> reached = new CompletableFuture<>();
            source.counters().listener((counter, value) -> {
                if (counter == 0 && value >= startAtProgress) {
                    reached.complete(null);
                }
            });
            VcpuRunner runner = VcpuRunner.start(source, (fault, m) -> {
                throw new IllegalStateException("source guest faulted: " + fault);
            }, "vcpu-source");
            try {
                CompletableFuture.anyOf(reached, runner.finished()).get(WAIT_SECONDS, TimeUnit.SECONDS);
                if (!reached.isDone()) {
                    throw new IllegalStateException("the guest ended before progress " + startAtProgress);
                }
                SourceSession session = new SourceSession(source, runner, migration, client, server.address(),
                        transport.replyTimeoutMillis());
                MigrationReport report = session.migrate();
                if (!report.completed()) {
                    throw new IllegalStateException("migration failed: " + report.error());
                }
                DestinationSession.Arrival arrival = incoming.get(WAIT_SECONDS, TimeUnit.SECONDS).arrival()
                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
                try (Machine destination = arrival.machine(); VcpuRunner destinationRunner = arrival.runner()) {
                    long afterStart = System.nanoTime();
                    long unitsAtArrival = destination.counters().value(0);
                    VcpuExit exit = destinationRunner.finished().get(WAIT_SECONDS, TimeUnit.SECONDS);
                    double seconds = (System.nanoTime() - afterStart) / 1e9;
                    double rateAfter = (destination.counters().value(0) - unitsAtArrival) / seconds;
                    if (!(exit instanceof VcpuExit.Halt halt)) {
                        throw new IllegalStateException("migrated guest ended with " + exit);
                    }
                    return new Outcome(report, halt, destination.memory().hash(), rateAfter);
                }
            } finally {
                runner.close();
            }
        }
    }
}
