package org.migrationlab.vmm.eval;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
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
 * kept). Shows progress with an estimate of the time left. One thread.
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

    /** Adds to the number of migrations the progress line counts down. */
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
        RunReport reference = reference(config);
        long startAt = Math.max(1, (long) (reference.progress().progress() * startShare));
        TransportConfig link = TransportConfig.of(secret).withLink(settings.bandwidthBits(), settings.latencyNanos());
        InProcessMigration.Outcome outcome = InProcessMigration.run(BalloonedMachines.factory(), config, KERNEL,
                migration, link, startAt);
        String oracle = outcome.report().scheme().guestEndedBeforeSwitchOver()
                ? "ended before the switch-over (nothing live was migrated; the point does not count)"
                : oracle(reference, outcome, compareMemory);
        RunRecord record = new RunRecord(experiment, series, x, run, config.bootArgs().seed(), parameters, oracle,
                ReportJson.parse(ReportJson.render(outcome.report())));
        records.add(record);
        done++;
        showProgress(experiment + " " + series + " @ " + formatX(x) + " run " + (run + 1) + ": " + oracle);
        return new Migrated(outcome.report(), record);
    }

    private static String oracle(RunReport reference, InProcessMigration.Outcome outcome, boolean compareMemory) {
        if (!(reference.outcome() instanceof GuestOutcome.Halted halted)) {
            return "differs (the unmigrated run did not halt: " + reference.outcome() + ")";
        }
        if (halted.result() != outcome.destinationExit().result() || halted.status() != outcome.destinationExit().status()) {
            return String.format("differs (result %x status %d, unmigrated %x status %d)",
                    outcome.destinationExit().result(), outcome.destinationExit().status(), halted.result(),
                    halted.status());
        }
        if (compareMemory && reference.memoryHash() != outcome.destinationHash()) {
            return String.format("differs (memory hash %016x, unmigrated %016x)", outcome.destinationHash(),
                    reference.memoryHash());
        }
        return compareMemory ? "identical" : "identical result and status";
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
