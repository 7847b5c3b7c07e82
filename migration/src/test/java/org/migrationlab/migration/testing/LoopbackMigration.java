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
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.MachineProbes;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.engine.IncomingMigration;
import org.migrationlab.migration.engine.OutgoingMigration;
import org.migrationlab.migration.engine.Retries;
import org.migrationlab.migration.engine.SourceOutcome;
import org.migrationlab.migration.engine.StartTrigger;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.step.StepGate;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Both ends of a migration in one JVM over a real loopback socket (port 0), with every wait bounded:
 * boots a guest, starts the migration once the guest reached a given progress, lets the destination
 * run the guest to its end, and returns what the oracle compares. When the migration fails, the source
 * guest runs on to its end instead, and that outcome is returned.
 *
 * <p>A migration test must migrate a live guest, however slowly this machine runs: {@link Options#holdAt}
 * parks the source guest at a progress short of its end, where it waits for the switch-over (a failed
 * migration lets it run on), so it can never end before the switch-over; {@link Result#progressAfterSwitchOver}
 * shows that it did not. Decorators of either end's machines ({@link ForwardingMigratable}) let a test watch
 * or bend what the engine does to the guest.
 */
public final class LoopbackMigration {
    public static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    public static final byte[] SECRET = "loopback-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    /** The machines of every loopback migration, both ends. */
    public static final GuestFactory MACHINES = BalloonedMachines.factory();
    private static final long WAIT_SECONDS = 120;
    /** How long a destination may take to end after its source reported a failure (a recover timeout is 60 s). */
    private static final long DESTINATION_END_SECONDS = 75;

    /** The guest's end as the oracle sees it. */
    public record GuestOutcome(long result, long status, String console, long memoryHash) {
    }

    /** An unmigrated run: the oracle's outcome and the progress counter at the end. */
    public record Reference(GuestOutcome outcome, long finalProgress) {
        /**
         * Where a migration test parks the source guest: 90 % of the run, so that whatever the load, the
         * guest is live at the switch-over and runs on at the destination.
         */
        public long holdPoint() {
            return finalProgress - finalProgress / 10;
        }
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
     * @param destinationDigest    the destination guest's RAM at its end, with {@link Options#withDigest}; else null
     */
    public record Result(MigrationReport report, GuestOutcome destination, long progressAtStart, long progressAtReport,
                         long finalProgress,
                         boolean haltedBeforeSwitchOver, Throwable destinationFailure, GuestOutcome source,
                         byte[] sourceProbe, byte[] destinationProbe, MemoryDigest destinationDigest) {
        /**
         * The progress the guest made after it was frozen at the source, at the destination (after a completed
         * migration the source's progress when its session returned is where it was frozen): positive when a
         * live guest was migrated.
         */
        public long progressAfterSwitchOver() {
            return finalProgress - progressAtReport;
        }
    }

    /**
     * How to run a migration beyond its configs.
     *
     * @param sourceTransport      the source's transport (secret, emulated link)
     * @param destinationTransport the destination's transport
     * @param probe                reads the guest (on its vCPU thread, paused) at the destination's
     *                             arrival and from the source's frozen copy; null for none
     * @param holdAt               parks the source guest once its progress reached this, until the switch-over
     *                             (or, when the migration fails, until it failed); -1 for no hold
     * @param sourceMachines       wraps the source's machine
     * @param destinationMachines  wraps the destination's machine
     * @param digest               reads the destination guest's RAM at its end ({@link Result#destinationDigest})
     * @param faultLog             hears a line for every fault of the source transport's plan that fires
     * @param steps                the source's step gate (step mode); {@link StepGate#OPEN} for none
     */
    public record Options(TransportConfig sourceTransport, TransportConfig destinationTransport,
                          Function<Machine, byte[]> probe, long holdAt, UnaryOperator<Migratable> sourceMachines,
                          UnaryOperator<Migratable> destinationMachines, boolean digest, Consumer<String> faultLog,
                          StepGate steps) {
        public Options {
            Objects.requireNonNull(steps, "steps");
            Objects.requireNonNull(sourceTransport, "sourceTransport");
            Objects.requireNonNull(destinationTransport, "destinationTransport");
            Objects.requireNonNull(sourceMachines, "sourceMachines");
            Objects.requireNonNull(destinationMachines, "destinationMachines");
            Objects.requireNonNull(faultLog, "faultLog");
        }

        public static Options defaults() {
            return new Options(TransportConfig.of(SECRET), TransportConfig.of(SECRET), null, -1,
                    UnaryOperator.identity(), UnaryOperator.identity(), false, line -> { }, StepGate.OPEN);
        }

        /**
         * Injects {@code plan} into the source's connections (docs/FAULTS.md); {@code log} hears each fault
         * fired. A plan with a fault the transport cannot inject yet is refused when the migration starts.
         */
        public Options withFaults(FaultPlan plan, Consumer<String> log) {
            return new Options(sourceTransport.withFaults(plan), destinationTransport, probe, holdAt, sourceMachines,
                    destinationMachines, digest, log, steps);
        }

        /** The defaults, with the source guest held at the reference's {@linkplain Reference#holdPoint hold point}. */
        public static Options heldAt(Reference reference) {
            return defaults().withHoldAt(reference.holdPoint());
        }

        public Options withTransports(TransportConfig source, TransportConfig destination) {
            return new Options(source, destination, probe, holdAt, sourceMachines, destinationMachines, digest, faultLog,
                    steps);
        }

        public Options withProbe(Function<Machine, byte[]> newProbe) {
            return new Options(sourceTransport, destinationTransport, newProbe, holdAt, sourceMachines,
                    destinationMachines, digest, faultLog, steps);
        }

        public Options withHoldAt(long units) {
            return new Options(sourceTransport, destinationTransport, probe, units, sourceMachines,
                    destinationMachines, digest, faultLog, steps);
        }

        public Options withSourceMachines(UnaryOperator<Migratable> wrap) {
            return new Options(sourceTransport, destinationTransport, probe, holdAt, wrap, destinationMachines, digest,
                    faultLog, steps);
        }

        public Options withDestinationMachines(UnaryOperator<Migratable> wrap) {
            return new Options(sourceTransport, destinationTransport, probe, holdAt, sourceMachines, wrap, digest,
                    faultLog, steps);
        }

        public Options withDigest() {
            return new Options(sourceTransport, destinationTransport, probe, holdAt, sourceMachines,
                    destinationMachines, true, faultLog, steps);
        }

        /** The source's session passes {@code gate} at each step point, and the gate may park the guest (step mode). */
        public Options withSteps(StepGate gate) {
            return new Options(sourceTransport, destinationTransport, probe, holdAt, sourceMachines,
                    destinationMachines, digest, faultLog, gate);
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
        Reference known = REFERENCES.get(config);
        if (known != null) {
            return known;
        }
        Reference reference = digestedReference(config, false).reference();
        REFERENCES.put(config, reference);
        return reference;
    }

    /**
     * Unmigrated runs already made in this JVM, by guest: a guest's run is deterministic (the oracle rests on
     * it), so test classes that migrate the same guest share one run instead of repeating it.
     */
    private static final Map<MachineConfig, Reference> REFERENCES = new java.util.concurrent.ConcurrentHashMap<>();

    /** An unmigrated run and its RAM at the end. */
    public record DigestedReference(Reference reference, MemoryDigest digest) {
    }

    /** The unmigrated run of the same guest, with its RAM page by page at its end. */
    public static DigestedReference digestedReference(MachineConfig config) {
        return digestedReference(config, true);
    }

    private static DigestedReference digestedReference(MachineConfig config, boolean digest) {
        try {
            return runUnmigrated(config, digest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the reference run", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the reference run did not end", e);
        }
    }

    private static DigestedReference runUnmigrated(MachineConfig config, boolean digest) throws InterruptedException,
            java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        try (Migratable machine = MACHINES.boot(config, KERNEL)) {
            machine.start();
            GuestEnd end = machine.ended().get(WAIT_SECONDS, TimeUnit.SECONDS);
            GuestSummary summary = machine.summary().get(WAIT_SECONDS, TimeUnit.SECONDS);
            machine.release(); // the vCPU stops: the machine is this thread's alone
            return new DigestedReference(new Reference(outcome(summary, end, "reference run"), summary.progressUnits()),
                    digest ? MemoryDigest.of(MachineProbes.machineOf(machine)) : null);
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
        Destinations destinations = new Destinations(destinationMachines(options), 1, 1L << 34,
                destinationTransport.replyTimeoutMillis(), incoming::complete);
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

    /**
     * Migrates to a destination listening elsewhere in this JVM, whose next session is {@code incoming}:
     * the destination's guest is run to its end as with {@link #migrate(MachineConfig, MigrationConfig, long)}.
     */
    public static Result migrateTo(InetSocketAddress destination, CompletableFuture<DestinationSession> incoming,
                                   MachineConfig config, MigrationConfig migration, long startAtProgress,
                                   TransportConfig sourceTransport) throws Exception {
        return migrate(config, migration, startAtProgress, Options.defaults().withTransports(sourceTransport,
                sourceTransport), destination, incoming);
    }

    /**
     * Migrates with {@code options} (its destination transport unused) to a destination listening elsewhere in
     * this JVM, whose next session is {@code incoming} (null when none is expected).
     */
    public static Result migrateTo(InetSocketAddress destination, CompletableFuture<DestinationSession> incoming,
                                   MachineConfig config, MigrationConfig migration, long startAtProgress,
                                   Options options) throws Exception {
        return migrate(config, migration, startAtProgress, options, destination, incoming);
    }

    /**
     * The destination's machines as {@code options} wants them: decorated, and with the guest's RAM read at its
     * end when asked for (into {@link #lastDigest}).
     */
    private static org.migrationlab.emulator.port.GuestFactory destinationMachines(Options options) {
        UnaryOperator<Migratable> wrap = options.destinationMachines();
        if (!options.digest()) {
            return new MachineDecorator(MACHINES, wrap);
        }
        return new MachineDecorator(MACHINES, machine -> wrap.apply(new ForwardingMigratable(machine) {
            @Override
            public void close() {
                delegate().release(); // the vCPU stops: the machine is this thread's alone
                lastDigest.set(MemoryDigest.of(MachineProbes.machineOf(delegate())));
                super.close();
            }
        }));
    }

    /** The digest the last destination guest left (loopback migrations in one JVM run one at a time). */
    private static final java.util.concurrent.atomic.AtomicReference<MemoryDigest> lastDigest =
            new java.util.concurrent.atomic.AtomicReference<>();

    private static Result migrate(MachineConfig config, MigrationConfig migration, long startAtProgress,
                                  Options options, InetSocketAddress address,
                                  CompletableFuture<DestinationSession> incoming) throws Exception {
        TransportConfig sourceTransport = options.sourceTransport();
        lastDigest.set(null);
        try (MigrationClient client = new MigrationClient(sourceTransport, options.faultLog())) {
            SourceProbe source = new SourceProbe(options.probe());
            SourceOutcome outcome = OutgoingMigration.run(new OutgoingMigration.Request(
                    new MachineDecorator(MACHINES, options.sourceMachines()), config, KERNEL,
                    new StartTrigger.AtProgress(startAtProgress), migration, client, address,
                    sourceTransport.replyTimeoutMillis()).withHoldAt(options.holdAt()), source,
                    OwnershipJournal.NONE, Retries.NONE, options.steps());
            return switch (outcome) {
                case SourceOutcome.EndedBeforeMigration ended ->
                        throw new AssertionError("the guest ended before reaching progress " + startAtProgress);
                case SourceOutcome.Failed failed -> {
                    Throwable destinationFailure = incoming == null ? null
                            : destinationFailure(incoming, failed.report().error());
                    SourceOutcome.EndedHere here = failed.ranOnHere().orElseThrow(() -> new AssertionError(
                            "the migration failed after the destination took the guest: " + failed.report().error()));
                    yield new Result(failed.report(), null, source.progressAtStart, source.progressAtReport,
                            here.summary().progressUnits(), false, destinationFailure,
                            outcome(here.summary(), here.end(), "source guest after a failed migration"), null, null,
                            null);
                }
                case SourceOutcome.Migrated migrated -> {
                    DestinationProbe destination = new DestinationProbe(options.probe());
                    IncomingMigration.Outcome arrived = IncomingMigration.receive(
                            incoming.get(WAIT_SECONDS, TimeUnit.SECONDS), destination);
                    if (!(arrived instanceof IncomingMigration.Outcome.Ended ended)) {
                        throw new AssertionError("the destination failed after the source completed: " + arrived);
                    }
                    yield new Result(migrated.report(), outcome(ended.summary(), ended.end(), "migrated guest"),
                            source.progressAtStart, source.progressAtReport, ended.summary().progressUnits(),
                            source.haltedBeforeSwitchOver, null, null, source.probed, destination.probed,
                            options.digest() ? lastDigest.get() : null);
                }
            };
        }
    }

    /**
     * Watches the source: progress at the start and the end of the migration, and the probe of its frozen copy.
     * The hold point is the engine's ({@link OutgoingMigration.Request#holdAt}).
     */
    private static final class SourceProbe implements OutgoingMigration.Observer {
        private final Function<Machine, byte[]> probe;
        private Migratable guest;
        long progressAtStart;
        long progressAtReport;
        boolean haltedBeforeSwitchOver;
        byte[] probed;

        SourceProbe(Function<Machine, byte[]> probe) {
            this.probe = probe;
        }

        @Override
        public void booted(Migratable booted) {
            guest = ForwardingMigratable.unwrap(booted);
        }

        @Override
        public void migrating(long progressUnits, MigrationProgress progress) {
            progressAtStart = progressUnits;
        }

        @Override
        public void migrated(MigrationReport report) {
            progressAtReport = guest.progress().units();
            if (report.completed()) {
                // Released: the vCPU is stopped and the source's frozen copy is no longer touched by anyone.
                haltedBeforeSwitchOver = MachineProbes.machineOf(guest).halt().isPresent();
                probed = probe == null ? null : probe.apply(MachineProbes.machineOf(guest));
            }
        }
    }

    /** Probes the destination's guest as soon as every page has arrived. */
    private static final class DestinationProbe implements IncomingMigration.Observer {
        private final Function<Machine, byte[]> probe;
        byte[] probed;

        DestinationProbe(Function<Machine, byte[]> probe) {
            this.probe = probe;
        }

        @Override
        public void arrived(DestinationSession.Arrival arrival, long afterNanos) {
            if (probe == null) {
                return;
            }
            try {
                probed = MachineProbes.read(ForwardingMigratable.unwrap(arrival.guest()), probe)
                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while probing the destination", e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("could not probe the destination", e);
            }
        }
    }

    /** Waits (bounded) for a destination session that must fail once the source gave up. */
    private static Throwable destinationFailure(CompletableFuture<DestinationSession> incoming, String sourceError)
            throws Exception {
        if (!incoming.isDone()) {
            return null; // refused before any session existed (e.g. at the handshake)
        }
        DestinationSession session = incoming.get();
        try {
            DestinationSession.Arrival arrival = session.arrival().get(DESTINATION_END_SECONDS, TimeUnit.SECONDS);
            arrival.guest().close();
            throw new AssertionError("the destination session completed although the source reported a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            // Within the tests' own timeouts, so that the failure names the session's state, not just a stack.
            throw new AssertionError("the source reported a failure (" + sourceError + "), and "
                    + DESTINATION_END_SECONDS + " s later the destination has not ended: " + session, e);
        }
    }

    private static GuestOutcome outcome(GuestSummary summary, GuestEnd end, String what) {
        if (!(end instanceof GuestEnd.Halted halt)) {
            throw new AssertionError(what + " ended with " + end + "\n" + summary.console());
        }
        return new GuestOutcome(halt.result(), halt.status(), summary.console(), summary.memoryHash());
    }
}
