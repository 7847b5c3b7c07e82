package org.migrationlab.migration.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.VcpuRunner;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.protocol.MigrationMode;
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
 * Both ends of a migration in one JVM over a real loopback socket (port 0), with every wait bounded:
 * boots a guest, starts the migration once the guest reached a given progress, lets the destination
 * run the guest to its end, and returns what the oracle compares. When the migration fails, the source
 * guest runs on to its end instead, and that outcome is returned.
 */
public final class LoopbackMigration {
    public static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    public static final byte[] SECRET = "loopback-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final long WAIT_SECONDS = 120;

    /** The guest's end as the oracle sees it. */
    public record GuestOutcome(long result, long status, String console, long memoryHash) {
    }

    /** An unmigrated run: the oracle's outcome and the progress counter at the end. */
    public record Reference(GuestOutcome outcome, long finalProgress) {
    }

    /**
     * One migration.
     *
     * @param report               the source's report
     * @param destination          the guest's end on the destination; null unless the migration completed
     * @param progressAtStart      the guest's progress when the migration started
     * @param progressAtReport     the guest's progress on the source when the source's session returned
     * @param finalProgress        the guest's progress at its end (wherever it ended)
     * @param haltedBeforeSwitchOver whether the guest had already exited on the source when it was frozen
     *                             (then the destination had nothing left to run)
     * @param destinationFailure   why the destination session failed, or null
     * @param source               the guest's end on the source after a failed migration; null otherwise
     * @param sourceProbe          what the probe read from the source's frozen guest after a completed
     *                             migration; null without a probe or when the migration failed
     * @param destinationProbe     what the probe read from the destination guest, paused as soon as
     *                             every page had arrived; null without a probe or when the migration failed
     */
    public record Result(MigrationReport report, GuestOutcome destination, long progressAtStart, long progressAtReport,
                         long finalProgress,
                         boolean haltedBeforeSwitchOver, Throwable destinationFailure, GuestOutcome source,
                         byte[] sourceProbe, byte[] destinationProbe) {
    }

    /**
     * How to run a migration beyond its configs.
     *
     * @param sourceTransport      the source's transport (secret, emulated link)
     * @param destinationTransport the destination's transport
     * @param probe                reads the guest (on its vCPU thread, paused) at the destination's
     *                             arrival and from the source's frozen copy; null for none
     */
    public record Options(TransportConfig sourceTransport, TransportConfig destinationTransport,
                          Function<Machine, byte[]> probe) {
        public Options {
            Objects.requireNonNull(sourceTransport, "sourceTransport");
            Objects.requireNonNull(destinationTransport, "destinationTransport");
        }

        public static Options defaults() {
            return new Options(TransportConfig.of(SECRET), TransportConfig.of(SECRET), null);
        }

        public Options withTransports(TransportConfig source, TransportConfig destination) {
            return new Options(source, destination, probe);
        }

        public Options withProbe(Function<Machine, byte[]> newProbe) {
            return new Options(sourceTransport, destinationTransport, newProbe);
        }
    }

    private static boolean warm;

    private LoopbackMigration() {
    }

    /**
     * Runs a small pre-copy and post-copy migration once per JVM, unchecked, so that class loading and
     * the JIT do not slow the first real case down (a slow first migration can outlast its guest).
     */
    public static synchronized void warmUp() throws Exception {
        if (warm) {
            return;
        }
        MachineConfig small = config(8L << 20, "incrementer", 1, "range=1M", "sweeps=4000");
        for (MigrationMode mode : List.of(MigrationMode.PRECOPY, MigrationMode.POSTCOPY)) {
            migrate(small, MigrationConfig.defaults(mode), 50_000);
        }
        warm = true;
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
        return reference(config).outcome();
    }

    /** The unmigrated run of the same guest, with its final progress. */
    public static Reference reference(MachineConfig config) {
        try (Machine machine = GuestMachines.boot(config, KERNEL)) {
            VcpuExit exit = machine.run();
            return new Reference(outcome(machine, exit, "reference run"), machine.counters().value(0));
        }
    }

    public static Result migrate(MachineConfig config, MigrationConfig migration, long startAtProgress)
            throws Exception {
        return migrate(config, migration, startAtProgress, Options.defaults());
    }

    public static Result migrate(MachineConfig config, MigrationConfig migration, long startAtProgress,
                                 TransportConfig sourceTransport, TransportConfig destinationTransport) throws Exception {
        return migrate(config, migration, startAtProgress,
                Options.defaults().withTransports(sourceTransport, destinationTransport));
    }

    /** Migrates to a destination session in this JVM. */
    public static Result migrate(MachineConfig config, MigrationConfig migration, long startAtProgress,
                                 Options options) throws Exception {
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        TransportConfig destinationTransport = options.destinationTransport();
        Destinations destinations = new Destinations(1, 1L << 34, destinationTransport.replyTimeoutMillis(),
                incoming::complete);
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), destinationTransport,
                destinations::resolve)) {
            return migrate(config, migration, startAtProgress, options, server.address(), incoming);
        }
    }

    /**
     * Migrates to whatever listens at {@code destination} (a hostile peer, say); the migration is
     * expected to fail, and the source guest to run on to its end.
     */
    public static Result migrateTo(InetSocketAddress destination, MachineConfig config, MigrationConfig migration,
                                   long startAtProgress, TransportConfig sourceTransport) throws Exception {
        return migrate(config, migration, startAtProgress, Options.defaults().withTransports(sourceTransport,
                sourceTransport), destination, null);
    }

    private static Result migrate(MachineConfig config, MigrationConfig migration, long startAtProgress,
                                  Options options, InetSocketAddress address,
                                  CompletableFuture<DestinationSession> incoming) throws Exception {
        TransportConfig sourceTransport = options.sourceTransport();
        try (MigrationClient client = new MigrationClient(sourceTransport);
             Machine source = GuestMachines.boot(config, KERNEL)) {
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
                SourceSession session = new SourceSession(source, runner, migration, client, address,
                        sourceTransport.replyTimeoutMillis());
                MigrationReport report = session.migrate();
                long progressAtReport = source.counters().value(0);
                if (!report.completed()) {
                    Throwable destinationFailure = incoming == null ? null : destinationFailure(incoming);
                    VcpuExit exit = runner.finished().get(WAIT_SECONDS, TimeUnit.SECONDS);
                    GuestOutcome outcome = outcome(source, exit, "source guest after a failed migration");
                    return new Result(report, null, progressAtStart, progressAtReport, source.counters().value(0), false,
                            destinationFailure, outcome, null, null);
                }
                // Released: the runner is closed and the source's frozen copy is no longer touched by anyone.
                boolean haltedBeforeSwitchOver = source.halt().isPresent();
                byte[] sourceProbe = options.probe() == null ? null : options.probe().apply(source);
                DestinationSession.Arrival arrival = incoming.get(WAIT_SECONDS, TimeUnit.SECONDS).arrival()
                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
                try (Machine destination = arrival.machine(); VcpuRunner destinationRunner = arrival.runner()) {
                    byte[] destinationProbe = options.probe() == null ? null
                            : destinationRunner.atPause(options.probe(), VcpuRunner.Then.RESUME)
                                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
                    VcpuExit exit = destinationRunner.finished().get(WAIT_SECONDS, TimeUnit.SECONDS);
                    GuestOutcome outcome = outcome(destination, exit, "migrated guest");
                    return new Result(report, outcome, progressAtStart, progressAtReport, destination.counters().value(0),
                            haltedBeforeSwitchOver, null, null, sourceProbe, destinationProbe);
                }
            } finally {
                runner.close();
            }
        }
    }

    /** Waits (bounded) for a destination session that must fail once the source gave up. */
    private static Throwable destinationFailure(CompletableFuture<DestinationSession> incoming) throws Exception {
        if (!incoming.isDone()) {
            return null; // refused before any session existed (e.g. at the handshake)
        }
        try {
            DestinationSession.Arrival arrival = incoming.get().arrival().get(WAIT_SECONDS, TimeUnit.SECONDS);
            arrival.runner().close();
            arrival.machine().close();
            throw new AssertionError("the destination session completed although the source reported a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static GuestOutcome outcome(Machine machine, VcpuExit exit, String what) {
        if (!(exit instanceof VcpuExit.Halt halt)) {
            throw new AssertionError(what + " ended with " + exit + "\n" + machine.console().text());
        }
        return new GuestOutcome(halt.result(), halt.status(), machine.console().text(), machine.memory().hash());
    }
}
