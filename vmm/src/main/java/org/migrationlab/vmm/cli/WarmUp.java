package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.engine.IncomingMigration;
import org.migrationlab.migration.engine.OutgoingMigration;
import org.migrationlab.migration.engine.Retries;
import org.migrationlab.migration.engine.SourceOutcome;
import org.migrationlab.migration.engine.StartTrigger;
import org.migrationlab.migration.oracle.Oracle;
import org.migrationlab.migration.oracle.Verdict;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.OperatorFence;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.step.StepGate;
import org.migrationlab.migration.transport.TransportConfig;
import org.migrationlab.vmm.render.MigrationReportTable;

/**
 * Small migrations inside this process, so that class loading, lambda linkage and the JIT's first
 * compilations of the migration path happen before real work does rather than during a real guest's
 * downtime or post-copy faults. A tiny {@code wss} guest runs unmigrated (the oracle), then moves over
 * loopback between a server and a client of this JVM, pre-copy, post-copy with bubble prepaging, and
 * pre-copy again ({@link #MIGRATIONS}), each ending at the destination; every migration is checked
 * against the oracle, and the reports go through the same rendering as a real one. It is also the training run of the JDK AOT cache
 * that {@code bin/vmm} builds.
 *
 * <p>For a command with {@code --state-dir} the warm-up takes the durable path too ({@link #run(boolean)}):
 * its source keeps guest RAM in a file and checkpoints at the switch-over, and both ends journal, all in a
 * scratch directory, so that the first checkpoint and journal writes of the real migration do not pay class
 * loading inside its downtime.
 *
 * <p>Nothing it creates outlives it: its server listens on an ephemeral loopback port with a random
 * secret of its own and is closed before it returns; the scratch directory is deleted.
 */
final class WarmUp {
    /**
     * The guest: 16 MiB, of which it keeps rewriting 1 MiB, so that pre-copy converges and switches over while
     * it still runs, and post-copy has faults to serve beside a push; about a tenth of a second of work
     * (0.12 s unmigrated on a 2-core machine), so the post-copy migration holds it ({@link #POSTCOPY_HOLD_AT}).
     */
    static final MachineConfig GUEST = new MachineConfig(16L << 20, new BootArgs("wss",
            orderedArgs("wss", "1M", "pattern", "seq", "passes", "1500"), 1), false);
    /** Where the migrations start: as soon as the guest has made some progress (units of its counter). */
    static final long START_AT_PROGRESS = 1_000;
    /**
     * Where the post-copy migration parks the guest at the source if it has not switched over yet: nine
     * tenths of the guest's work (256 pages times 1,500 passes, 384,000 units). A loaded machine's set-up can
     * outlast the guest's second of work; parked, the guest is still running at the switch-over, so the
     * destination serves faults on it, which is what post-copy is warmed up for.
     */
    static final long POSTCOPY_HOLD_AT = 345_600;
    /**
     * The migrations, in order. The first pays this JVM's first connection, handshake and migration set-up,
     * which on a cold JVM can take longer than the guest's whole run: its guest may have ended before the
     * switch-over (it still moves every page and is still checked). The two after it are meant to switch over
     * while the guest runs (post-copy is made to, by its hold point): post-copy with bubble prepaging (network faults beside the push), then pre-copy capped at a
     * few rounds (a full copy, a round of what was dirtied, stop-and-copy).
     */
    static final List<MigrationConfig> MIGRATIONS = List.of(
            MigrationConfig.defaults(MigrationMode.PRECOPY),
            MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("bubble"),
            MigrationConfig.defaults(MigrationMode.PRECOPY).withLimits(new PrecopyLimits(3,
                    PrecopyLimits.DEFAULTS.throttleInitialPercent(), PrecopyLimits.DEFAULTS.throttleIncrementPercent())));
    private static final long WAIT_SECONDS = 120;
    /** How many more checkpoints and journal entries the durable warm-up writes after its migrations. */
    static final int DURABLE_REPEATS = 300;

    /** One migration of the warm-up: its mode and the oracle's verdict on the migrated guest. */
    record Step(MigrationMode mode, MigrationReport report, Verdict verdict, long nanos) {
    }

    /** What the warm-up did: its migrations and how long it took in all. */
    /**
     * What the warm-up did: its migrations, how long it took in all, and how many checkpoints and journal
     * entries it wrote on the durable path (0 without it).
     */
    record Result(long oracleNanos, List<Step> steps, long nanos, int durableWrites) {
        /** True when every migration completed and ended as the unmigrated run did. */
        boolean allIdentical() {
            return !steps.isEmpty() && steps.stream().allMatch(s -> s.report().completed() && s.verdict().identical());
        }
    }

    private WarmUp() {
    }

    /**
     * Runs the warm-up; a migration that fails or differs from the oracle is in the result, not thrown (the
     * warm-up is an accelerator: the caller decides what a failure means).
     */
    static Result run() throws InterruptedException {
        return run(false);
    }

    /** As {@link #run()}, and with {@code durable} through the durable path in a scratch directory. */
    static Result run(boolean durable) throws InterruptedException {
        if (!durable) {
            return run(WarmUpStateDir.NONE);
        }
        WarmUpStateDir scratch;
        try {
            scratch = WarmUpStateDir.scratch();
        } catch (java.io.IOException | RuntimeException e) {
            // The warm-up is an accelerator: without a scratch directory it warms what it can.
            return run(WarmUpStateDir.NONE);
        }
        try (scratch) {
            return run(scratch);
        }
    }

    private static Result run(WarmUpStateDir durability) throws InterruptedException {
        long start = System.nanoTime();
        GuestImage kernel = GuestOptions.builtInKernel();
        // The oracle runs beside the first migration: it is needed only once a migrated guest has ended.
        CompletableFuture<RunReport> unmigrated = new CompletableFuture<>();
        long[] oracleNanos = new long[1];
        Thread oracle = Thread.ofPlatform().daemon(true).name("warm-up-oracle").start(() -> {
            try {
                unmigrated.complete(Oracle.referenceRun(BalloonedMachines.factory(), GUEST, kernel,
                        GuestOptions.BUILT_IN_KERNEL, line -> { }));
                oracleNanos[0] = System.nanoTime() - start;
            } catch (Throwable t) {
                unmigrated.completeExceptionally(t);
            }
        });
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        TransportConfig transport = TransportConfig.of(secret);
        Arrays.fill(secret, (byte) 0);
        List<Step> steps = new ArrayList<>();
        try {
            for (MigrationConfig migration : MIGRATIONS) {
                steps.add(migrate(kernel, unmigrated, migration, transport, durability));
            }
            oracle.join();
            durability.repeatWrites(DURABLE_REPEATS);
        } finally {
            oracle.interrupt();
        }
        return new Result(oracleNanos[0], List.copyOf(steps), System.nanoTime() - start, durability.writes());
    }

    /**
     * Runs the warm-up for {@code command} before its real work; when it did not end as it should, says so in
     * one line on {@code err} and returns (the command works as well cold, only slower).
     */
    static void runOrWarn(String command, PrintWriter err) throws InterruptedException {
        runOrWarn(command, err, false);
    }

    /** As above, through the durable path too when the command runs with {@code --state-dir}. */
    static void runOrWarn(String command, PrintWriter err, boolean durable) throws InterruptedException {
        Result result = run(durable);
        if (!result.allIdentical()) {
            String why = result.steps().stream().filter(s -> !s.report().completed() || !s.verdict().identical())
                    .map(s -> MigrationConverters.Mode.name(s.mode()) + ": " + s.verdict().describe())
                    .findFirst().orElse("no migration ran");
            MigrateCommand.printLine(err, command + ": warning: the warm-up migration did not end as it should ("
                    + OneLine.of(why) + "); going on without it");
        }
    }

    private static Step migrate(GuestImage kernel, CompletableFuture<RunReport> unmigrated,
                                MigrationConfig migration, TransportConfig transport, WarmUpStateDir durability)
            throws InterruptedException {
        long start = System.nanoTime();
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        Destinations destinations = new Destinations(BalloonedMachines.factory(), 1, GUEST.ramBytes(),
                transport.replyTimeoutMillis(), session -> {
                    session.journal(durability.destinationJournal());
                    incoming.complete(session);
                });
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), transport,
                destinations::resolve);
             MigrationClient client = new MigrationClient(transport)) {
            OutgoingMigration.Request request = new OutgoingMigration.Request(
                    durability.sourceMachines(BalloonedMachines.factory()), GUEST, kernel,
                    GuestOptions.BUILT_IN_KERNEL, new StartTrigger.AtProgress(START_AT_PROGRESS), migration,
                    client, server.address(), transport.replyTimeoutMillis());
            if (migration.mode() == MigrationMode.POSTCOPY) {
                request = request.withHoldAt(POSTCOPY_HOLD_AT);
            }
            SourceOutcome source = OutgoingMigration.run(request, new OutgoingMigration.Observer() { },
                    durability.sourceJournal(), Retries.NONE, StepGate.OPEN, new OperatorFence(),
                    durability.checkpoints());
            MigrationReport report = switch (source) {
                case SourceOutcome.Migrated migrated -> migrated.report();
                case SourceOutcome.Failed failed -> failed.report();
                case SourceOutcome.EndedBeforeMigration ended -> MigrationReport.notStarted(
                        MigrationConverters.Mode.name(migration.mode()), GUEST.ramBytes(), "the guest ended before the migration started");
            };
            Verdict verdict = report.completed() ? compare(unmigrated, incoming)
                    : Verdict.notChecked("the migration did not complete: " + report.error());
            // The source's and the destination's reports take the paths a real one takes after the migration.
            MigrationReportTable.render(report);
            ReportJson.readMigrationReport(ReportJson.render(report.withOracle(verdict.finding().word())));
            return new Step(migration.mode(), report, verdict, System.nanoTime() - start);
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            return new Step(migration.mode(), MigrationReport.notStarted(
                    MigrationConverters.Mode.name(migration.mode()), GUEST.ramBytes(), String.valueOf(e)), Verdict.notChecked("the warm-up migration failed: " + e),
                    System.nanoTime() - start);
        }
    }

    /** Lets the destination run the migrated guest to its end and asks the oracle about it. */
    private static Verdict compare(CompletableFuture<RunReport> unmigrated,
                                   CompletableFuture<DestinationSession> incoming)
            throws InterruptedException, ExecutionException, TimeoutException {
        DestinationSession session = incoming.get(WAIT_SECONDS, TimeUnit.SECONDS);
        IncomingMigration.Outcome outcome = IncomingMigration.receive(session, new IncomingMigration.Observer() { });
        return switch (outcome) {
            case IncomingMigration.Outcome.Failed failed -> Verdict.notChecked("the destination failed: "
                    + failed.why());
            case IncomingMigration.Outcome.Ended ended -> {
                DestinationReport report = DestinationReport.ended(session.id().toString(), ended.config(),
                        GuestOutcome.of(ended.end()), ended.summary(), ended.faults(), ended.progressRateDuring(),
                        ended.progressRateAfter());
                yield Oracle.compare(unmigrated.get(WAIT_SECONDS, TimeUnit.SECONDS), ReportJson.readDestinationReport(ReportJson.render(report)));
            }
        };
    }

    private static Map<String, String> orderedArgs(String... keyValues) {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            args.put(keyValues[i], keyValues[i + 1]);
        }
        return args;
    }
}
