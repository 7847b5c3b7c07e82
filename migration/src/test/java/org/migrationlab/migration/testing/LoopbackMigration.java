package org.migrationlab.migration.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.VcpuRunner;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.SourceSession;
import org.migrationlab.migration.stats.MigrationReport;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Both ends of a migration in one JVM over a real loopback socket (port 0), with every wait bounded:
 * boots a guest, starts the migration once the guest reached a given progress, lets the destination
 * run the guest to its end, and returns what the oracle compares.
 */
public final class LoopbackMigration {
    public static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    public static final byte[] SECRET = "loopback-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final long WAIT_SECONDS = 120;

    /** The guest's end as the oracle sees it. */
    public record GuestOutcome(long result, long status, String console, long memoryHash) {
    }

    public record Result(MigrationReport report, GuestOutcome destination, long progressAtStart) {
    }

    private LoopbackMigration() {
    }

    public static MachineConfig config(long ramBytes, String workload, long seed, String... pairs) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String pair : pairs) {
            Map.Entry<String, String> e = BootArgs.parsePair(pair);
            args.put(e.getKey(), e.getValue());
        }
        return MachineConfig.of(ramBytes, new BootArgs(workload, args, seed));
    }

    /** The unmigrated run of the same guest. */
    public static GuestOutcome referenceRun(MachineConfig config) {
        try (Machine machine = Machine.boot(config, KERNEL)) {
            VcpuExit exit = machine.run();
            if (!(exit instanceof VcpuExit.Halt halt)) {
                throw new AssertionError("reference run ended with " + exit + "\n" + machine.console().text());
            }
            return new GuestOutcome(halt.result(), halt.status(), machine.console().text(), machine.memory().hash());
        }
    }

    public static Result migrate(MachineConfig config, MigrationConfig migration, long startAtProgress)
            throws Exception {
        return migrate(config, migration, startAtProgress, TransportConfig.of(SECRET), TransportConfig.of(SECRET));
    }

    public static Result migrate(MachineConfig config, MigrationConfig migration, long startAtProgress,
                                 TransportConfig sourceTransport, TransportConfig destinationTransport) throws Exception {
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        Destinations destinations = new Destinations(1, 1L << 34, destinationTransport.replyTimeoutMillis(),
                incoming::complete);
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), destinationTransport,
                destinations::resolve);
             MigrationClient client = new MigrationClient(sourceTransport);
             Machine source = Machine.boot(config, KERNEL)) {
            CompletableFuture<Void> reached = new CompletableFuture<>();
            source.counters().listener((counter, value) -> {
                if (counter == 0 && value >= startAtProgress) {
                    reached.complete(null);
                }
            });
            VcpuRunner runner = VcpuRunner.start(source, (fault, m) -> {
                throw new AssertionError("source guest faulted: " + fault);
            }, "vcpu-source");
            try {
                CompletableFuture.anyOf(reached, runner.finished()).get(WAIT_SECONDS, TimeUnit.SECONDS);
                if (!reached.isDone()) {
                    throw new AssertionError("the guest ended before reaching progress " + startAtProgress);
                }
                long progressAtStart = source.counters().value(0);
                SourceSession session = new SourceSession(source, runner, migration, client, server.address(),
                        sourceTransport.replyTimeoutMillis());
                MigrationReport report = session.migrate();
                if (!report.completed()) {
                    return new Result(report, null, progressAtStart);
                }
                DestinationSession.Arrival arrival = incoming.get(WAIT_SECONDS, TimeUnit.SECONDS).arrival()
                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
                try (Machine destination = arrival.machine(); VcpuRunner destinationRunner = arrival.runner()) {
                    VcpuExit exit = destinationRunner.finished().get(WAIT_SECONDS, TimeUnit.SECONDS);
                    if (!(exit instanceof VcpuExit.Halt halt)) {
                        throw new AssertionError("migrated guest ended with " + exit + "\n" + destination.console().text());
                    }
                    GuestOutcome outcome = new GuestOutcome(halt.result(), halt.status(), destination.console().text(),
                            destination.memory().hash());
                    return new Result(report, outcome, progressAtStart);
                }
            } finally {
                runner.close();
            }
        }
    }
}
