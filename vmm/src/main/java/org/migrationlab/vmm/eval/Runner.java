package org.migrationlab.vmm.eval;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.engine.BackToBackMigration;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.engine.LocalRun;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Runs an evaluation's migrations one after another in this JVM, each over the settings' shaped loopback
 * link, and checks each migrated guest against an unmigrated run of the same guest (run once per guest and
 * kept); runs guests unmigrated and timed for the experiments that measure the guest alone. Shows progress
 * with an estimate of the time left. One thread.
 */
public final class Runner {
    private static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(),
            ImageFormat.ELF);

    private final EvalSettings settings;
    private final PrintWriter progress;
    private final Map<MachineConfig, RunReport> references = new HashMap<>();
    private final List<RunRecord> records = new ArrayList<>();
    private final byte[] secret = new byte[32];
    private final long startNanos = System.nanoTime();
    private int planned;
    private int done;

    /** A migration's figures with its run record. */
    public record Migrated(MigrationReport report, RunRecord record) {
    }

    public Runner(EvalSettings settings, PrintWriter progress) {
        this.settings = settings;
        this.progress = progress;
        new SecureRandom().nextBytes(secret);
    }

    public EvalSettings settings() {
        return settings;
    }

    /** Adds to the number of runs (migrations and timed runs) the progress line counts down. */
    public void plan(int migrations) {
        planned += migrations;
    }

    /** Every run so far, in order. */
    public List<RunRecord> records() {
        return List.copyOf(records);
    }

    /** The unmigrated run of {@code config} (run on first use). */
    public RunReport reference(MachineConfig config) throws InterruptedException {
        RunReport known = references.get(config);
        if (known == null) {
            known = LocalRun.run(BalloonedMachines.factory(), config, KERNEL, GuestImages.KERNEL,
                    new LocalRun.Observer() { });
            references.put(config, known);
        }
        return known;
    }

    /**
     * Migrates {@code config} once, starting when the guest has done {@code startShare} of its work, and
     * records the run under {@code experiment}/{@code series} at {@code x}.
     *
     * @param compareMemory whether the oracle compares the memory hash; a self-ballooning guest's free
     *                      pages are given back and come back zeroed, so only its result and status count
     */
    public Migrated migrate(String experiment, String series, double x, int run, MachineConfig config,
                            MigrationConfig migration, double startShare, boolean compareMemory,
                            Map<String, String> parameters) throws Exception {
        return migrate(experiment, series, x, run, config, migration, startShare, compareMemory, parameters,
                InProcessMigration.Watcher.NONE);
    }

    /** As the other {@code migrate}, with {@code watcher} told of both ends as the migration runs. */
    public Migrated migrate(String experiment, String series, double x, int run, MachineConfig config,
                            MigrationConfig migration, double startShare, boolean compareMemory,
                            Map<String, String> parameters, InProcessMigration.Watcher watcher) throws Exception {
        RunReport reference = reference(config);
        long startAt = Math.max(1, (long) (reference.progress().progress() * startShare));
        TransportConfig link = TransportConfig.of(secret).withLink(settings.bandwidthBits(), settings.latencyNanos());
        long holdAt = holdAt(reference, startAt);
        if (holdAt >= 0) {
            parameters = new java.util.LinkedHashMap<>(parameters);
            parameters.put("held-at", Long.toString(holdAt));
        }
        InProcessMigration.Outcome outcome = InProcessMigration.run(BalloonedMachines.factory(), config, KERNEL,
                migration, link, link, startAt, holdAt, watcher);
        String oracle = outcome.report().scheme().guestEndedBeforeSwitchOver()
                ? "ended before the switch-over (nothing live was migrated; the point does not count)"
                : verdict(reference, GuestOutcome.of(outcome.destinationExit()), outcome.destinationHash(),
                        compareMemory, () -> migratedEndDiffers(reference, outcome));
        RunRecord record = new RunRecord(experiment, series, x, run, config.bootArgs().seed(), parameters, oracle,
                ReportJson.parse(ReportJson.render(outcome.report())));
        records.add(record);
        done++;
        showProgress(experiment + " " + series + " @ " + formatX(x) + " run " + (run + 1) + ": " + oracle);
        return new Migrated(outcome.report(), record);
    }

    /**
     * Runs {@code config} once without migrating it, timed, and records the run under
     * {@code experiment}/{@code series} at {@code x}; its oracle compares the result and status with the
     * unmigrated run of {@code baseline} (the same guest without what the experiment varies), its report is
     * the run's as {@code vmm run --json} writes it.
     */
    public RunReport timedRun(String experiment, String series, double x, int run, MachineConfig config,
                              MachineConfig baseline, Map<String, String> parameters) throws InterruptedException {
        RunReport reference = reference(baseline);
        RunReport timed = LocalRun.run(BalloonedMachines.factory(), config, KERNEL, GuestImages.KERNEL,
                new LocalRun.Observer() { });
        String oracle = verdict(reference, timed.outcome(), timed.memoryHash(), false,
                () -> "differs (" + timed.outcome() + ", without it " + reference.outcome() + ")");
        RunRecord record = new RunRecord(experiment, series, x, run, config.bootArgs().seed(), parameters, oracle,
                ReportJson.parse(ReportJson.render(timed)));
        records.add(record);
        done++;
        showProgress(experiment + " " + series + " @ " + formatX(x) + " run " + (run + 1) + ": " + oracle);
        return timed;
    }

    /**
     * Runs {@code config} to its end while migrating it back and forth as {@code plan} says (shares of the
     * unmigrated run's progress, a pause in milliseconds), and records the run under
     * {@code experiment}/{@code series} at {@code x}: its oracle compares the end with the unmigrated run's,
     * its report is the last migration's, with the migration count and completion time in the parameters.
     */
    public BackToBackMigration.Outcome backAndForth(String experiment, String series, double x, int run,
                                                    MachineConfig config, MigrationConfig migration,
                                                    double firstShare, double lastShare, long pauseMillis,
                                                    boolean compareMemory, Map<String, String> parameters)
            throws Exception {
        RunReport reference = reference(config);
        long units = reference.progress().progress();
        TransportConfig link = TransportConfig.of(secret).withLink(settings.bandwidthBits(), settings.latencyNanos());
        BackToBackMigration.Outcome outcome = BackToBackMigration.run(BalloonedMachines.factory(), config, KERNEL,
                GuestImages.KERNEL, migration, link, new BackToBackMigration.Plan(Math.max(1, (long) (units * firstShare)),
                        Math.max(1, (long) (units * lastShare)), pauseMillis));
        GuestOutcome end = GuestOutcome.of(outcome.end());
        String oracle = outcome.migrations().isEmpty()
                ? "not migrated (the guest ended before the first migration; the point does not count)"
                : verdict(reference, end, outcome.summary().memoryHash(), compareMemory,
                        () -> "differs (" + end + ", unmigrated " + reference.outcome() + ")");
        Map<String, String> recorded = new java.util.LinkedHashMap<>(parameters);
        recorded.put("migrations", Integer.toString(outcome.migrations().size()));
        recorded.put("completion-time", String.format(java.util.Locale.ROOT, "%.3fs", outcome.wallNanos() / 1e9));
        RunRecord record = new RunRecord(experiment, series, x, run, config.bootArgs().seed(), recorded, oracle,
                outcome.migrations().isEmpty() ? null
                        : ReportJson.parse(ReportJson.render(outcome.migrations().getLast())));
        records.add(record);
        done++;
        showProgress(experiment + " " + series + " @ " + formatX(x) + " run " + (run + 1) + ": "
                + outcome.migrations().size() + " migrations, " + oracle);
        return outcome;
    }

    private static boolean sameEnd(GuestOutcome reference, GuestOutcome run) {
        return reference instanceof GuestOutcome.Halted a && run instanceof GuestOutcome.Halted b
                && a.result() == b.result() && a.status() == b.status();
    }

    /**
     * Where the guest is parked until the switch-over, or -1 for nowhere. Only at the tiny scale, which proves
     * the pipeline and whose figures mean nothing: its guests run for a second or so, and on a loaded machine a
     * migration could still be copying when one ended, leaving a point that does not count. At the measuring
     * scales a guest is never held, as a parked guest dirties nothing and would flatter pre-copy.
     */
    private long holdAt(RunReport reference, long startAt) {
        if (settings.scale() != EvalSettings.Scale.TINY) {
            return -1;
        }
        return Math.max(startAt, reference.progress().progress() * 9 / 10);
    }

    /**
     * The oracle's verdict on a run's end against the unmigrated run's: "identical" ("identical result and
     * status" when the memory hash is not compared) or "differs (…)", in the words of {@code endsDiffer} when
     * the result or status differ.
     */
    private static String verdict(RunReport reference, GuestOutcome end, long memoryHash, boolean compareMemory,
                                  Supplier<String> endsDiffer) {
        if (!sameEnd(reference.outcome(), end)) {
            return endsDiffer.get();
        }
        if (compareMemory && memoryHash != reference.memoryHash()) {
            return String.format("differs (memory hash %016x, unmigrated %016x)", memoryHash, reference.memoryHash());
        }
        return compareMemory ? "identical" : "identical result and status";
    }

    private static String migratedEndDiffers(RunReport reference, InProcessMigration.Outcome outcome) {
        var exit = outcome.destinationExit();
        return reference.outcome() instanceof GuestOutcome.Halted halted
                ? String.format("differs (result %x status %d, unmigrated %x status %d)", exit.result(),
                        exit.status(), halted.result(), halted.status())
                : "differs (the unmigrated run did not halt: " + reference.outcome() + ")";
    }

    private void showProgress(String what) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        int total = Math.max(planned, done);
        double left = done == 0 ? Double.NaN : elapsed / done * (total - done);
        int width = 30;
        int filled = total == 0 ? width : (int) Math.round((double) done / total * width);
        progress.printf("[%s%s] %d/%d  %s elapsed, ~%s left  %s%n", "#".repeat(filled), ".".repeat(width - filled),
                done, total, duration(elapsed), duration(left), what);
        progress.flush();
    }

    private static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    static String formatX(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
