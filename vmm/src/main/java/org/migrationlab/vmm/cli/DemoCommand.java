package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.oracle.Oracle;
import org.migrationlab.migration.oracle.Verdict;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.vmm.render.HumanUnits;
import org.migrationlab.vmm.render.MigrationReportTable;

import org.migrationlab.migration.faults.Fault;
import org.migrationlab.migration.faults.FaultPlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmm demo}: a whole live migration between two processes on this machine, checked against an
 * unmigrated run. Runs the guest unmigrated in this process first (the oracle, and where the migration
 * should start), then starts {@code vmm daemon} and {@code vmm migrate} as child JVMs with a fresh secret
 * ({@link ChildProcesses}), streams their output, and ends with the migration report and the oracle's
 * verdict. Children never outlive it.
 */
@Command(name = "demo", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Live-migrates a running guest between two processes on this machine and checks the result.",
            "",
            "First runs the guest unmigrated in this process: the oracle. Then starts a destination ('vmm daemon"
                + " --listen 127.0.0.1:0 --once') and a source ('vmm migrate') as two child JVMs sharing a fresh"
                + " random secret, and shows their output prefixed [destination] and [source]: the guest console,"
                + " progress and migration progress lines, the arrival. Ends with the source's migration report"
                + " (its progress rate after the migration from the destination) and 'oracle: identical' when the"
                + " migrated guest ended exactly as the unmigrated one (result, status, console, memory hash), else"
                + " 'oracle: differs (...)'.",
            "",
            "By default the guest is wss in 512 MiB touching 64 MiB sequentially for a few seconds"
                + " (--arg wss=64M --arg pattern=seq --arg passes=" + DemoCommand.DEFAULT_PASSES + "), migrated"
                + " post-copy with bubble prepaging once it has done a quarter of its work (a quarter of the"
                + " oracle's progress). Any --arg replaces these arguments. With --image a user's own guest is"
                + " migrated the same way; one that reports no progress is migrated at once.",
            "",
            "--faults with a kill (docs/FAULTS.md): the demo kills the child with SIGKILL as the source announces"
                + " the kill. A killed destination is restarted on its address and state directory, and the source"
                + " rolls back to the switch-over. A source killed after the switch-over (post-copy, hybrid) is"
                + " replaced, once dead, by 'vmm migrate --recover' on its state directory, which serves the pages"
                + " the destination lacks and finishes the migration, or, when the destination proves it never ran"
                + " the guest (a kill at the switch-over), runs it again from its checkpoint. A source killed before"
                + " the switch-over takes"
                + " the guest with it: the demo says it is lost and exits 1."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the migration completed and the migrated guest ended exactly as the unmigrated one",
            "1:the migration failed, the guest's end differs from the oracle's, or a child process failed or"
                + " ran out of time",
            "2:usage error: bad option or argument, unreadable or invalid image, missing Unicorn library",
            "3:internal error (a bug in vmm; a stack trace follows)",
            "4:the guest ended identically, but it had ended before the switch-over: nothing live was migrated"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmm demo",
            "  vmm demo --mode precopy --bandwidth 1gbit --latency 100us --json demo.json",
            "  vmm demo --image counter.elf --memory 64M",
            "  vmm demo --mode hybrid --prepage multi-pivot --memory 256M \\",
            "      --arg wss=32M --arg passes=200",
            "  vmm demo --faults 'kill source at postcopy 40%%' --json demo.json"})
public final class DemoCommand implements Callable<Integer> {
    static final String DEFAULT_PASSES = "400";
    static final List<String> DEFAULT_ARGS = List.of("wss=64M", "pattern=seq", "passes=" + DEFAULT_PASSES);
    /** Where the migration starts by default: this share of the unmigrated run's total progress. */
    static final double DEFAULT_START_SHARE = 0.25;
    private static final long STARTUP_TIMEOUT_SECONDS = 60;
    private static final long KILLED_SOURCE_RECOVER_TIMEOUT_SECONDS = 10;
    /** Long enough for the killed source's successor, a new JVM, to start and reconnect on a loaded machine. */
    private static final long RECOVERED_SOURCE_RECOVER_TIMEOUT_SECONDS = 30;
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):([0-9]+)");
    private static final Pattern LIVE_VIEW = Pattern.compile("^live view at (http://\\S+)$");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "postcopy", converter = MigrationConverters.Mode.class,
            completionCandidates = MigrationConverters.Mode.class,
            description = "precopy, postcopy, hybrid or stop-and-copy. Default: ${DEFAULT-VALUE}.")
    private MigrationMode mode;

    @Option(names = "--prepage", paramLabel = "NAME", defaultValue = "bubble",
            converter = MigrationConverters.Prepage.class, completionCandidates = MigrationConverters.Prepage.class,
            description = "Post-copy prepaging: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    private String prepage;

    @Option(names = {"-w", "--workload"}, paramLabel = "NAME", completionCandidates = KernelWorkloads.class,
            description = "Workload of the built-in kernel to run: ${COMPLETION-CANDIDATES}. Default: wss (none"
                    + " with --image).")
    private String workload;

    @Option(names = "--image", paramLabel = "FILE",
            description = "Migrate this guest image instead of the built-in kernel (see guest-images/GUIDE.md);"
                    + " the oracle boots the same image.")
    private Path image;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Format of --image: auto (ELF only), elf, or flat. Default: auto.")
    private ImageFormat format;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "512M", converter = ByteSizeConverter.class,
            description = "Guest RAM. Default: ${DEFAULT-VALUE}.")
    private long memoryBytes;

    @Option(names = {"-a", "--arg"}, paramLabel = "KEY=VALUE", converter = BootArgConverter.class,
            description = "A boot argument for the workload. Repeatable; replaces the defaults (wss=64M pattern=seq"
                    + " passes=" + DEFAULT_PASSES + " for wss).")
    private List<Map.Entry<String, String>> args = List.of();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Guest seed. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
    private MigrateCommand.StartAt startAt;

    @Option(names = "--hold-at", paramLabel = "N",
            description = "The source parks the guest when its progress counter reaches N (not before the start),"
                    + " until the migration is over (migrate's --hold-at): a short guest is still migrated live on a"
                    + " fast machine.")
    private Long holdAt;

    @CommandLine.Mixin
    private DsbOptions dsb;

    @CommandLine.Mixin
    private PolicyClassOptions policyClasses;

    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "0", converter = BandwidthConverter.class,
            description = "Emulated link bandwidth, like 1gbit, 100mbit or 125MB/s; 0 = unlimited. Default: 0.")
    private long bandwidthBitsPerSecond;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Emulated one-way latency, both ways, like 100us or 2ms. Default: 0.")
    private long latencyNanos;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "The source starts the migration again, up to N times, when it fails while the guest is"
                    + " still the source's (see vmm migrate --retries). Default: ${DEFAULT-VALUE}.")
    private int retries;

    @CommandLine.Mixin
    private FaultOptions faultOptions;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the migration report as JSON to FILE, with 'oracle' set.")
    private Path json;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Both children journal ownership in DIR (vmm status --state-dir DIR lists it). A plan that"
                    + " kills the destination, or kills the source after the switch-over (post-copy, hybrid), needs"
                    + " one, and gets a temporary one without it: the restarted destination's journal is the source's"
                    + " proof that the guest is lost; the killed source's RAM file and checkpoint there are what its"
                    + " successor, vmm migrate --recover DIR, finishes the migration from.")
    private Path stateDir;

    @Option(names = "--no-warm-up",
            description = "Start the destination and the source without their warm-up migration (slower first"
                    + " faults and a longer downtime; for comparison).")
    private boolean noWarmUp;

    @Option(names = "--web", paramLabel = "PORT", arity = "0..1", fallbackValue = "8080",
            description = "Serve a live view of the migration at http://127.0.0.1:PORT/ (loopback only; PORT"
                    + " defaults to 8080): the source serves it from its JVM once its guest is built. The destination"
                    + " serves its own on a free port ('vmm daemon --web 0'), and the source's page shows its map too.")
    private Integer webPort;

    @Option(names = "--step",
            description = "Step mode (needs --web): the source starts paused; the page runs, pauses, or advances the"
                    + " migration one pre-copy round or one prepaging batch at a time, or the guest one slice (until"
                    + " the switch-over the guest runs while the migration moves and is parked while it is held).")
    private boolean step;

    @Option(names = "--slice", paramLabel = "N",
            description = "Step mode: the units of the guest's progress one guest slice runs (migrate's --slice;"
                    + " default 64).")
    private Long sliceUnits;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Stop the child processes and fail after this long. Default: ${DEFAULT-VALUE}.")
    private long timeoutNanos;

    @Override
    public Integer call() throws Exception {
        MachineConfig config = machineConfig();
        if (JsonTarget.isStandardOutput(json)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--json needs a file here (standard output"
                    + " carries the children's output)");
        }
        JsonTarget.check(json);
        if (step && webPort == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--step needs --web (its controls are on the page)");
        }
        if (step && !mode.hasLiveRounds() && !mode.hasPostcopyPhase()) {
            // Steps are pre-copy rounds and prepaging batches: a stop-and-copy migration has neither.
            throw new CommandLine.ParameterException(spec.commandLine(), "--step: a " + MigrationConverters.Mode.name(mode)
                    + " migration has nothing to step (no pre-copy round, no prepaging batch)");
        }
        if (step && holdAt != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--step and --hold-at both park the guest:"
                    + " give one of them");
        }
        if (sliceUnits != null && (!step || sliceUnits <= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--slice needs --step and a positive count");
        }
        if (timeoutNanos <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
        }
        if (holdAt != null && holdAt < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hold-at must not be negative: " + holdAt);
        }
        FaultPlan plan = faultOptions.plan(spec.commandLine());
        // Checked here so that a class that cannot be loaded is a usage error before any process starts.
        var loaded = policyClasses.loaded("vmm demo", spec.commandLine().getErr());
        FaultOptions.peerTimeoutMillis(spec.commandLine(), faultOptions.peerTimeoutNanos);
        FaultOptions.recoverTimeoutMillis(spec.commandLine(), faultOptions.recoverTimeoutNanos);
        if (plan != null) {
            say(spec.commandLine().getOut(), "vmm demo: fault plan (injected by the source"
                    + (plan.kills().isEmpty() ? "" : "; its kills carried out by this demo") + "): " + plan.print());
        }
        if (killsSource() && !spec.commandLine().getParseResult().hasMatchedOption("--recover-timeout")) {
            // Do not keep the destination waiting for five minutes: a successor starts within seconds, and
            // before the switch-over nobody will come back for the guest.
            long seconds = recoversSource() ? RECOVERED_SOURCE_RECOVER_TIMEOUT_SECONDS
                    : KILLED_SOURCE_RECOVER_TIMEOUT_SECONDS;
            faultOptions.recoverTimeoutNanos = TimeUnit.SECONDS.toNanos(seconds);
            say(spec.commandLine().getOut(), "vmm demo: the plan kills the source: --recover-timeout " + seconds
                    + "s for the children" + (recoversSource() ? " (the destination waits that long for the"
                    + " source's successor, vmm migrate --recover)" : ""));
        }
        GuestImage guestImage = guestImage();
        String imageLabel = image == null ? GuestOptions.BUILT_IN_KERNEL : image.toString();
        long deadline = System.nanoTime() + timeoutNanos;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        say(out, "vmm demo: " + guestLabel(config) + "; " + MigrateCommand.describe(migrationConfigLabel().withLoaded(loaded)) + link());
        say(out, "vmm demo: oracle: the same guest, unmigrated, in this process, first");
        RunReport unmigrated = Oracle.referenceRun(BalloonedMachines.factory(), config, guestImage, imageLabel,
                line -> { });
        say(out, "vmm demo: oracle: " + MigrateCommand.describe(unmigrated.outcome()) + " after "
                + HumanUnits.count(unmigrated.progress().progress()) + " units of progress");
        List<String> start = startOption(unmigrated);
        say(out, "vmm demo: the migration starts " + describeStart(start));
        if (webPort != null) {
            say(out, "vmm demo: live view: open http://127.0.0.1:" + webPort + "/ once the source says it is serving"
                    + " (the source's JVM serves it)");
        }

        Path dir = Files.createTempDirectory("vmm-demo-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try (ChildProcesses children = new ChildProcesses(out, err)) {
            // Interrupted (Ctrl-C): no child and no secret outlives the demo.
            Thread killer = Thread.ofPlatform().unstarted(() -> {
                children.close();
                ScratchDirectory.deleteQuietly(dir);
            });
            Runtime.getRuntime().addShutdownHook(killer);
            try {
                return migrate(config, start, dir, children, unmigrated, deadline, out, err);
            } finally {
                children.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(killer);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down; the hook runs anyway
                }
            }
        } finally {
            ScratchDirectory.deleteQuietly(dir);
        }
    }

    /** Runs the two children, then reads their reports, asks the oracle and prints the verdict. */
    private int migrate(MachineConfig config, List<String> start, Path dir, ChildProcesses children,
                        RunReport unmigrated, long deadline, PrintWriter out, PrintWriter err) throws Exception {
        Path secret = writeSecret(dir);
        Path destinationJson = dir.resolve("destination.json");
        Path migrationJson = dir.resolve("migration.json");
        Path sourceOutcomeJson = dir.resolve("source-outcome.json");
        Path recoveryJson = dir.resolve("recovery.json");
        if (stateDir == null && (killsDestination() || recoversSource())) {
            stateDir = Files.createDirectory(dir.resolve("state"));
        }
        List<String> daemonArgs = daemonArguments(secret, destinationJson);
        say(out, "vmm demo: destination: vmm " + String.join(" ", daemonArgs));
        CompletableFuture<String> listening = new CompletableFuture<>();
        KillHarness kills = new KillHarness(children, out);
        CompletableFuture<String> destinationView = new CompletableFuture<>();
        Process destination = children.start(daemonArgs, "[destination] ", listening::complete, line -> {
            kills.onDestinationLine(line);
            Matcher view = LIVE_VIEW.matcher(line);
            if (view.matches()) {
                destinationView.complete(view.group(1));
            }
        }, line -> { });
        kills.destination(destination);
        String address = awaitListening(listening, destination);
        if (address == null) {
            say(err, "vmm demo: the destination did not start listening (exit code "
                    + ChildProcesses.exitCode(destination) + ")");
            return ExitCode.MIGRATION_FAILED.code();
        }
        String peerView = webPort == null ? null : awaitLine(destinationView, destination);
        if (webPort != null && peerView == null) {
            say(err, "vmm demo: the destination did not say where its live view is: the page shows the source only");
        }
        kills.restartWith(restartArguments(secret, address));
        if (recoversSource()) {
            List<String> recoverArgs = recoverArguments(secret, recoveryJson);
            // Its guest's end, when it ran it again here after a rollback, for the oracle.
            recoverArgs.addAll(List.of("--outcome-json", recoveredOutcomeJson(dir).toString()));
            kills.recoverWith(recoverArgs);
        }
        List<String> migrateArgs = migrateArguments(config, start, address, secret, migrationJson, peerView);
        say(out, "vmm demo: source: vmm " + String.join(" ", migrateArgs));
        migrateArgs.add("--no-report-table"); // printed below, with the oracle's verdict
        migrateArgs.addAll(List.of("--outcome-json", sourceOutcomeJson.toString())); // its end, if it ran on there
        Process source = children.start(migrateArgs, "[source] ", line -> { }, line -> { }, kills::onSourceLine);
        kills.source(source);

        Integer sourceExit = ChildProcesses.waitFor(source, deadline);
        if (kills.sourceKilled()) {
            Process recovering = kills.awaitRecovering(deadline);
            return recovering == null ? sourceKilled(kills, destination, deadline, children, out, err)
                    : recovered(unmigrated, kills, recovering, destination, recoveryJson, destinationJson,
                    recoveredOutcomeJson(dir), deadline, children, out, err);
        }
        if (kills.destinationKilled()) {
            children.close(); // the restarted destination, which answered the source and holds nothing
            children.joinOutput(deadline);
            return rolledBack(unmigrated, kills, migrationJson, sourceOutcomeJson, sourceExit, deadline, out, err);
        }
        // After a failed migration the destination may have seen no guest at all: give it a grace period.
        boolean migrated = sourceExit != null && (sourceExit == ExitCode.SUCCESS.code()
                || sourceExit == ExitCode.NOTHING_LIVE_MIGRATED.code());
        long destinationDeadline = migrated ? deadline
                : Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(ChildProcesses.GRACE_SECONDS));
        Integer destinationExit = ChildProcesses.waitFor(destination, destinationDeadline);
        children.close();
        children.joinOutput(deadline);
        if (sourceExit == null || destinationExit == null) {
            say(err, "vmm demo: " + (sourceExit == null ? "the source" : "the destination") + " did not finish"
                    + " within --timeout " + DurationConverter.format(timeoutNanos) + "; stopped it");
            return ExitCode.MIGRATION_FAILED.code();
        }
        MigrationReport report;
        try {
            report = ReportJson.readMigrationReport(Files.readString(migrationJson));
        } catch (NoSuchFileException e) {
            say(err, "vmm demo: the source wrote no migration report (exit code " + sourceExit + ")");
            return ExitCode.MIGRATION_FAILED.code();
        }
        DestinationReport arrived = report.completed() ? readDestination(destinationJson) : null;
        Verdict verdict = report.status().equals(MigrationReport.NOT_STARTED)
                ? Verdict.notChecked("the guest ended before the migration started")
                : !report.completed() ? Verdict.notChecked("the migration did not complete")
                : arrived == null ? new Verdict(Verdict.Finding.DIFFERS, List.of("the destination wrote no outcome"))
                : Oracle.compare(unmigrated, arrived);
        report = report.withOracle(verdict.finding().word());
        if (arrived != null) {
            report = report.withProgress(report.progress().withAfter(arrived.progressRateAfter()));
        }
        out.println();
        out.println("migration report (source):");
        out.print(TerminalText.escapeLines(MigrationReportTable.render(report.withOracle(
                Verdict.Finding.NOT_CHECKED.word()))));
        out.println(TerminalText.escape("oracle: " + verdict.describe()));
        out.flush();
        if (json != null) {
            JsonTarget.write(json, ReportJson.render(report));
        }
        return exitCode(report, verdict, sourceExit, destinationExit, err);
    }

    private boolean killsDestination() {
        return kills(Fault.Side.DESTINATION);
    }

    private boolean killsSource() {
        return kills(Fault.Side.SOURCE);
    }

    /**
     * Whether a killed source is replaced by {@code vmm migrate --recover}: the plan kills it after the
     * switch-over of a post-copy or hybrid migration, when its checkpoint is in its state directory.
     */
    private boolean recoversSource() {
        return mode.hasPostcopyPhase() && faultOptions.faults != null && faultOptions.faults.kills().stream()
                .anyMatch(f -> f instanceof Fault.Kill kill && kill.side() == Fault.Side.SOURCE
                        && kill.trigger().fromSwitchOver());
    }

    private boolean kills(Fault.Side side) {
        return faultOptions.faults != null && faultOptions.faults.kills().stream()
                .anyMatch(f -> f instanceof Fault.Kill kill && kill.side() == side);
    }

    /**
     * The destination was killed and restarted: the source rolled back if the restarted destination proved the
     * guest lost; the oracle then checks the guest's end on the source.
     */
    private int rolledBack(RunReport unmigrated, KillHarness kills, Path migrationJson, Path sourceOutcomeJson,
                           Integer sourceExit, long deadline, PrintWriter out, PrintWriter err) throws IOException {
        if (sourceExit == null) {
            say(err, "vmm demo: the source did not finish within --timeout " + DurationConverter.format(timeoutNanos)
                    + "; stopped it");
            return ExitCode.MIGRATION_FAILED.code();
        }
        MigrationReport report;
        try {
            report = ReportJson.readMigrationReport(Files.readString(migrationJson));
        } catch (NoSuchFileException e) {
            say(err, "vmm demo: the source wrote no migration report (exit code " + sourceExit + ")");
            return ExitCode.MIGRATION_FAILED.code();
        }
        MigrationReport.Rollback rollback = report.recovery().rollback();
        DestinationReport ranOn = readDestination(sourceOutcomeJson);
        // A kill before the switch-over fails the migration and the guest runs on at the source: checked too.
        Verdict verdict = ranOn != null ? Oracle.compare(unmigrated, ranOn)
                : rollback == null ? Verdict.notChecked("the guest did not run on at the source")
                : new Verdict(Verdict.Finding.DIFFERS, List.of("the source wrote no outcome"));
        double killToResumeMs = killToResumeMs(rollback, kills);
        report = printKilledRunReport("migration report (source):", report, verdict, killToResumeMs, out);
        if (rollback != null) {
            out.println(TerminalText.escape(String.format(java.util.Locale.ROOT, "rollback: the guest ran again on"
                    + " the source %d ms after the destination was killed (kill sent to the source's vCPU running"
                    + " again, both read on this machine's wall clock; the restarted destination listened after %s),"
                    + " %.0f ms after the source saw the link break; lost with the destination: %d post-copy pages"
                    + " sent to it and %d console line(s) it printed",
                    Math.round(killToResumeMs), kills.restartListeningMs() < 0 ? "an unknown time"
                            : kills.restartListeningMs() + " ms", rollback.rollbackMs(), rollback.postcopyPagesLost(),
                    kills.destinationConsoleLines())));
        }
        out.println(TerminalText.escape("oracle: " + verdict.describe()));
        out.flush();
        if (json != null) {
            JsonTarget.write(json, ReportJson.render(report));
        }
        if (rollback == null) {
            say(err, "vmm demo: " + (ranOn != null ? "the destination was killed before it took the guest: the"
                    + " migration failed and the guest ran on at the source" : "the destination was killed and the"
                    + " source did not roll back") + ": " + report.status()
                    + (report.error() == null ? "" : ": " + OneLine.of(report.error())));
            // The plan's point is that no guest is lost: a guest that ran on at the source to the unmigrated
            // run's end is the demo's success, as a rollback is.
            return ranOn != null && verdict.identical() ? ExitCode.SUCCESS.code() : ExitCode.MIGRATION_FAILED.code();
        }
        if (!verdict.identical()) {
            say(err, "vmm demo: the rolled-back guest did not end as the unmigrated one did");
            return ExitCode.MIGRATION_FAILED.code();
        }
        return ExitCode.SUCCESS.code();
    }

    /**
     * The source was killed after the switch-over and a new source process took the migration over from its
     * state directory: waits for it and for the destination, then reads the new source's report and the
     * destination's outcome, asks the oracle, and says what the restart cost.
     */
    private static Path recoveredOutcomeJson(Path dir) {
        return dir.resolve("recovered-outcome.json");
    }

    private int recovered(RunReport unmigrated, KillHarness kills, Process recovering, Process destination,
                          Path recoveryJson, Path destinationJson, Path recoveredOutcomeJson, long deadline,
                          ChildProcesses children, PrintWriter out, PrintWriter err) throws Exception {
        Integer recoveryExit = ChildProcesses.waitFor(recovering, deadline);
        // A failed recovery leaves the destination waiting until its recover timeout: a grace period only.
        long destinationDeadline = recoveryExit != null && recoveryExit == ExitCode.SUCCESS.code() ? deadline
                : Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(ChildProcesses.GRACE_SECONDS));
        Integer destinationExit = ChildProcesses.waitFor(destination, destinationDeadline);
        children.close();
        children.joinOutput(deadline);
        if (recoveryExit == null) {
            say(err, "vmm demo: the recovering source did not finish within --timeout "
                    + DurationConverter.format(timeoutNanos) + "; stopped it");
            return ExitCode.MIGRATION_FAILED.code();
        }
        MigrationReport report;
        try {
            report = ReportJson.readMigrationReport(Files.readString(recoveryJson));
        } catch (NoSuchFileException e) {
            say(err, "vmm demo: kill source: the recovering source could not take the migration over (exit code "
                    + recoveryExit + ") and wrote no report: the guest is lost");
            return ExitCode.MIGRATION_FAILED.code();
        }
        if (report.status().equals(MigrationReport.ROLLED_BACK)) {
            return restartedOnSource(unmigrated, kills, report, recoveredOutcomeJson, out, err);
        }
        if (destinationExit == null && report.completed()) {
            say(err, "vmm demo: the destination did not finish within --timeout "
                    + DurationConverter.format(timeoutNanos) + "; stopped it");
            return ExitCode.MIGRATION_FAILED.code();
        }
        DestinationReport arrived = report.completed() ? readDestination(destinationJson) : null;
        Verdict verdict = !report.completed() ? Verdict.notChecked("the migration did not complete")
                : arrived == null ? new Verdict(Verdict.Finding.DIFFERS, List.of("the destination wrote no outcome"))
                : Oracle.compare(unmigrated, arrived);
        MigrationReport.SourceRestart restart = report.recovery().restart();
        double killToCompleteMs = restart == null || restart.completedAtEpochMs() <= 0 ? -1
                : restart.completedAtEpochMs() - kills.killedAtEpochMs();
        report = report.withOracle(verdict.finding().word()).withKillToComplete(killToCompleteMs);
        if (arrived != null) {
            report = report.withProgress(report.progress().withAfter(arrived.progressRateAfter()));
        }
        out.println();
        out.println("migration report (the recovering source):");
        out.print(TerminalText.escapeLines(MigrationReportTable.render(report.withOracle(
                Verdict.Finding.NOT_CHECKED.word()))));
        if (restart != null && report.completed()) {
            out.println(TerminalText.escape(String.format(java.util.Locale.ROOT, "source restart: a new source"
                    + " process finished the migration; it started %d ms after the source was killed, reconnected"
                    + " %d ms after the kill, and the destination had every page %d ms after the reconnection (%.0f"
                    + " ms after the kill; all read on this machine's wall clock); the destination lacked %d pages"
                    + " at the reconnection and the new source sent %d (resent: %d)",
                    kills.recoveryStartMs(), restart.reconnectedAtEpochMs() - kills.killedAtEpochMs(),
                    restart.completedAtEpochMs() - restart.reconnectedAtEpochMs(), killToCompleteMs,
                    restart.pagesOwed(), restart.pagesServed(), report.pages().resentPages())));
        }
        out.println(TerminalText.escape("oracle: " + verdict.describe()));
        out.flush();
        if (json != null) {
            JsonTarget.write(json, ReportJson.render(report));
        }
        if (!report.completed()) {
            say(err, "vmm demo: kill source: the recovering source could not finish the migration (exit code "
                    + recoveryExit + "): " + OneLine.of(String.valueOf(report.error())) + "; the guest is lost");
            return ExitCode.MIGRATION_FAILED.code();
        }
        return exitCode(report, verdict, recoveryExit, destinationExit, err);
    }

    /** From the kill to the guest running again on the source, in ms of wall clock; -1 without a rollback. */
    private static double killToResumeMs(MigrationReport.Rollback rollback, KillHarness kills) {
        return rollback == null ? -1 : rollback.resumedAtEpochMs() - kills.killedAtEpochMs();
    }

    /**
     * Prints the report of a migration a kill ended under {@code heading} (its table without the oracle's word,
     * which a line of its own gives) and returns it with the verdict and the kill-to-resume time in it.
     */
    private static MigrationReport printKilledRunReport(String heading, MigrationReport report, Verdict verdict,
                                                        double killToResumeMs, PrintWriter out) {
        MigrationReport judged = report.withOracle(verdict.finding().word()).withKillToResume(killToResumeMs);
        out.println();
        out.println(heading);
        out.print(TerminalText.escapeLines(MigrationReportTable.render(judged.withOracle(
                Verdict.Finding.NOT_CHECKED.word()))));
        return judged;
    }

    /**
     * The source was killed at its switch-over before the destination resumed the guest, and the destination
     * proved it never ran it: the recovering source ran the guest again from its checkpoint. The oracle checks
     * the guest's end there.
     */
    private int restartedOnSource(RunReport unmigrated, KillHarness kills, MigrationReport report,
                                  Path recoveredOutcomeJson, PrintWriter out, PrintWriter err) throws IOException {
        MigrationReport.Rollback rollback = report.recovery().rollback();
        DestinationReport ranOn = readDestination(recoveredOutcomeJson);
        Verdict verdict = ranOn != null ? Oracle.compare(unmigrated, ranOn)
                : new Verdict(Verdict.Finding.DIFFERS, List.of("the recovering source wrote no outcome"));
        double killToResumeMs = killToResumeMs(rollback, kills);
        report = printKilledRunReport("migration report (the recovering source):", report, verdict, killToResumeMs,
                out);
        if (rollback != null) {
            out.println(TerminalText.escape(String.format(java.util.Locale.ROOT, "restarted on source: the"
                    + " destination never ran the guest, and the new source ran it again from its checkpoint at the"
                    + " switch-over; it started %d ms after the source was killed, and the guest ran again %d ms"
                    + " after the kill (both read on this machine's wall clock), %.0f ms after the new source began"
                    + " to reconnect", kills.recoveryStartMs(), Math.round(killToResumeMs), rollback.rollbackMs())));
        }
        out.println(TerminalText.escape("oracle: " + verdict.describe()));
        out.flush();
        if (json != null) {
            JsonTarget.write(json, ReportJson.render(report));
        }
        if (!verdict.identical()) {
            say(err, "vmm demo: the guest run again on the source did not end as the unmigrated one did");
            return ExitCode.MIGRATION_FAILED.code();
        }
        return ExitCode.SUCCESS.code();
    }

    /**
     * The source was killed and nobody took its place (the kill came before the switch-over, or no checkpoint
     * or successor was there to finish the migration): says what the destination did with the guest and that
     * it is lost.
     */
    private int sourceKilled(KillHarness kills, Process destination, long deadline, ChildProcesses children,
                             PrintWriter out, PrintWriter err) throws InterruptedException {
        boolean afterSwitchOver = kills.sourceKilledAfterSwitchOver();
        if (afterSwitchOver && mode.hasPostcopyPhase()) {
            say(out, "vmm demo: the source is dead and no new source took its place; the destination holds what it"
                    + " has of the guest until its recover timeout (" + DurationConverter.format(
                    faultOptions.recoverTimeoutNanos) + "), then gives it up");
        }
        Integer destinationExit = ChildProcesses.waitFor(destination, deadline);
        children.close();
        children.joinOutput(deadline);
        say(err, "vmm demo: kill source: the guest is lost. " + (afterSwitchOver && !mode.hasPostcopyPhase()
                ? "At the switch-over of a " + MigrationConverters.Mode.name(mode) + " migration the source held"
                + " the last pages the destination lacked and kept no checkpoint of them (only post-copy and hybrid"
                + " do)"
                : afterSwitchOver
                ? "After the switch-over only the source held the pages the destination lacked, and no new source"
                + " took the migration over from its state directory, so the destination waited in postcopy-paused"
                + " until its recover timeout and then failed"
                : "Before the switch-over the source owned the guest, which died with it; the destination freed its"
                + " place") + " (its exit code: " + (destinationExit == null ? "none, still running at --timeout"
                : destinationExit) + ").");
        return ExitCode.MIGRATION_FAILED.code();
    }

    private static int exitCode(MigrationReport report, Verdict verdict, int sourceExit, int destinationExit,
                                PrintWriter err) {
        if (report.status().equals(MigrationReport.NOT_STARTED)) {
            say(err, "vmm demo: the guest ended before the migration started: nothing was migrated");
            return ExitCode.NOTHING_LIVE_MIGRATED.code();
        }
        if (!report.completed()) {
            say(err, "vmm demo: the migration failed: " + OneLine.of(String.valueOf(report.error())));
            return ExitCode.MIGRATION_FAILED.code();
        }
        if (!verdict.identical()) {
            say(err, "vmm demo: the migrated guest did not end as the unmigrated one did");
            return ExitCode.MIGRATION_FAILED.code();
        }
        if (destinationExit != ExitCode.SUCCESS.code() || (sourceExit != ExitCode.SUCCESS.code()
                && sourceExit != ExitCode.NOTHING_LIVE_MIGRATED.code())) {
            say(err, "vmm demo: a child failed (source exit " + sourceExit + ", destination exit "
                    + destinationExit + ")");
            return ExitCode.MIGRATION_FAILED.code();
        }
        if (report.scheme().guestEndedBeforeSwitchOver()) {
            say(err, "vmm demo: the guest had ended before the switch-over: it ended identically, but nothing live"
                    + " was migrated");
            return ExitCode.NOTHING_LIVE_MIGRATED.code();
        }
        return ExitCode.SUCCESS.code();
    }

    private static DestinationReport readDestination(Path destinationJson) throws IOException {
        try {
            return ReportJson.readDestinationReport(Files.readString(destinationJson));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private MachineConfig machineConfig() {
        String name = workload != null ? workload : image == null ? "wss" : "";
        List<Map.Entry<String, String>> guestArgs = args.isEmpty() && image == null && name.equals("wss")
                ? DEFAULT_ARGS.stream().map(BootArgConverter::parse).toList() : args;
        return GuestOptions.machineConfig(spec.commandLine(), memoryBytes, name, dsb.appendTo(guestArgs), seed, false);
    }

    private GuestImage guestImage() {
        if (image == null) {
            if (format != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format applies only to --image");
            }
            return GuestOptions.builtInKernel();
        }
        return GuestOptions.loadImage(image, format == null ? ImageFormat.AUTO : format);
    }

    private static Path writeSecret(Path dir) throws IOException {
        Path secret = dir.resolve("secret");
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(secret, Base64.getEncoder().encodeToString(key) + "\n");
        return secret;
    }

    List<String> daemonArguments(Path secret, Path destinationJson) {
        List<String> daemonArgs = new ArrayList<>(List.of("daemon", "--listen", "127.0.0.1:0", "--once",
                "--json", destinationJson.toString()));
        daemonArgs.addAll(sharedArguments(secret, false));
        if (noWarmUp) {
            daemonArgs.add("--no-warm-up");
        }
        daemonArgs.addAll(stateDirArguments("--state-dir"));
        if (webPort != null) {
            // Its own view, on a free port it prints: the source's page opens it beside its own map.
            daemonArgs.addAll(List.of("--web", "0"));
        }
        return daemonArgs;
    }

    /**
     * The killed destination's restart, as an operator would run it: the same address, secret and state
     * directory; taking any migration (not --once), and listening at once (no warm-up) so that the source's
     * redial finds it soon.
     */
    List<String> restartArguments(Path secret, String address) {
        List<String> restartArgs = new ArrayList<>(List.of("daemon", "--listen", address));
        restartArgs.addAll(sharedArguments(secret, false));
        restartArgs.add("--no-warm-up");
        restartArgs.addAll(stateDirArguments("--state-dir"));
        return restartArgs;
    }

    /**
     * The killed source's successor, as an operator would run it: {@code vmm migrate --recover} on the dead
     * source's state directory (which names the destination and holds the guest), with the same secret, link
     * and timeouts, and at once (no warm-up): the destination waits for it only until its recover timeout.
     */
    List<String> recoverArguments(Path secret, Path recoveryJson) {
        List<String> recoverArgs = new ArrayList<>(List.of("migrate"));
        recoverArgs.addAll(stateDirArguments("--recover"));
        recoverArgs.addAll(sharedArguments(secret, true));
        if (mode.hasPostcopyPhase()) {
            recoverArgs.addAll(List.of("--prepage", prepage));
        }
        recoverArgs.addAll(policyClasses.asRecoveryArguments()); // serves on with the same prepaging
        if (webPort != null) {
            // the dead source's port is free again: the page, reloaded, shows the new source (nothing to step)
            recoverArgs.addAll(List.of("--web", Integer.toString(webPort)));
        }
        recoverArgs.addAll(List.of("--json", recoveryJson.toString(), "--no-warm-up"));
        return recoverArgs;
    }

    /**
     * What every child takes alike: the secret, the emulated link (a source shapes its bandwidth, both ends
     * delay what they receive) and the two timeouts.
     */
    private List<String> sharedArguments(Path secret, boolean source) {
        List<String> shared = new ArrayList<>(List.of("--secret-file", secret.toString()));
        if (source && bandwidthBitsPerSecond > 0) {
            shared.addAll(List.of("--bandwidth", bandwidthArgument(bandwidthBitsPerSecond)));
        }
        if (latencyNanos > 0) {
            shared.addAll(List.of("--latency", DurationConverter.format(latencyNanos)));
        }
        shared.addAll(List.of("--peer-timeout", DurationConverter.format(faultOptions.peerTimeoutNanos)));
        shared.addAll(List.of("--recover-timeout", DurationConverter.format(faultOptions.recoverTimeoutNanos)));
        return shared;
    }

    private List<String> stateDirArguments(String option) {
        return stateDir == null ? List.of() : List.of(option, stateDir.toString());
    }

    List<String> migrateArguments(MachineConfig config, List<String> start, String address, Path secret,
                                          Path migrationJson) {
        return migrateArguments(config, start, address, secret, migrationJson, null);
    }

    /** As above, with the destination's live view ({@code peerView}, or null) for the source's page to show. */
    List<String> migrateArguments(MachineConfig config, List<String> start, String address, Path secret,
                                  Path migrationJson, String peerView) {
        List<String> migrateArgs = new ArrayList<>(List.of("migrate", "--migrate-to", address,
                "--mode", MigrationConverters.Mode.name(mode)));
        if (mode.hasPostcopyPhase()) {
            migrateArgs.addAll(List.of("--prepage", prepage));
        }
        if (image != null) {
            migrateArgs.addAll(List.of("--image", image.toString()));
            if (format != null) {
                migrateArgs.addAll(List.of("--format", format.name().toLowerCase(java.util.Locale.ROOT)));
            }
        }
        if (!config.bootArgs().workload().isEmpty()) {
            migrateArgs.addAll(List.of("--workload", config.bootArgs().workload()));
        }
        migrateArgs.addAll(List.of("--memory", sizeArgument(memoryBytes), "--seed", Long.toString(seed)));
        for (Map.Entry<String, String> arg : config.bootArgs().args().entrySet()) {
            migrateArgs.addAll(List.of("--arg", arg.getKey() + "=" + arg.getValue())); // --dsb* included
        }
        migrateArgs.addAll(start);
        if (holdAt != null) {
            migrateArgs.addAll(List.of("--hold-at", Long.toString(holdAt)));
        }
        migrateArgs.addAll(policyClasses.asArguments());
        migrateArgs.addAll(sharedArguments(secret, true));
        if (retries != 0) {
            migrateArgs.addAll(List.of("--retries", Integer.toString(retries)));
        }
        if (faultOptions.faults != null) {
            migrateArgs.addAll(List.of("--faults", faultOptions.faults.print())); // expanded: the source replays it
        }
        migrateArgs.addAll(List.of("--json", migrationJson.toString()));
        migrateArgs.addAll(stateDirArguments("--state-dir"));
        if (noWarmUp) {
            migrateArgs.add("--no-warm-up");
        }
        if (webPort != null) {
            migrateArgs.addAll(List.of("--web", Integer.toString(webPort)));
            if (peerView != null) {
                migrateArgs.addAll(List.of("--peer-view", peerView));
            }
        }
        if (step) {
            migrateArgs.add("--step");
        }
        if (sliceUnits != null) {
            migrateArgs.addAll(List.of("--slice", Long.toString(sliceUnits)));
        }
        return migrateArgs;
    }

    /**
     * {@code --after-progress N} or {@code --after D} as given; else a quarter of the progress the unmigrated
     * run made, so the migration catches the guest a quarter into its work; at once for a guest that reports no
     * progress.
     */
    private List<String> startOption(RunReport unmigrated) {
        if (startAt != null && startAt.afterProgress != null) {
            return List.of("--after-progress", Long.toString(startAt.afterProgress));
        }
        if (startAt != null && startAt.afterNanos != null) {
            return List.of("--after", DurationConverter.format(startAt.afterNanos));
        }
        long total = unmigrated.progress().progress();
        return total > 0 ? List.of("--after-progress", Long.toString(Math.round(total * DEFAULT_START_SHARE)))
                : List.of();
    }

    private static String describeStart(List<String> start) {
        if (start.isEmpty()) {
            return "at once (the guest reports no progress)";
        }
        return start.getFirst().equals("--after-progress")
                ? "at progress " + HumanUnits.count(Long.parseLong(start.getLast()))
                : start.getLast() + " after the guest started";
    }

    private org.migrationlab.migration.session.MigrationConfig migrationConfigLabel() {
        return org.migrationlab.migration.session.MigrationConfig.defaults(mode).withPrepage(prepage);
    }

    private String link() {
        return (bandwidthBitsPerSecond > 0 ? "; link " + BandwidthConverter.format(bandwidthBitsPerSecond) : "")
                + (latencyNanos > 0 ? (bandwidthBitsPerSecond > 0 ? ", " : "; link ") + "latency "
                + DurationConverter.format(latencyNanos) + " one way" : "");
    }

    /** 536870912 → "512M": the size as --memory reads it, in the largest whole unit. */
    static String sizeArgument(long bytes) {
        String[] suffixes = {"", "K", "M", "G", "T"};
        int i = 0;
        long value = bytes;
        while (i < suffixes.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            i++;
        }
        return value + suffixes[i];
    }

    /** 1_000_000_000 → "1gbit": the bandwidth as --bandwidth reads it, in the largest whole unit. */
    static String bandwidthArgument(long bitsPerSecond) {
        String[] units = {"bit", "kbit", "mbit", "gbit", "tbit"};
        int i = 0;
        long value = bitsPerSecond;
        while (i < units.length - 1 && value != 0 && value % 1000 == 0) {
            value /= 1000;
            i++;
        }
        return value + units[i];
    }

    private String guestLabel(MachineConfig config) {
        Map<String, String> a = config.bootArgs().args();
        String what = image != null ? "image " + image : config.bootArgs().workload();
        return what + " in " + HumanUnits.bytes(config.ramBytes())
                + (a.isEmpty() ? "" : " (" + a.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")) + ")");
    }

    /** The line's value once the child printed it, or null when it exited or timed out first. */
    private static String awaitLine(CompletableFuture<String> line, Process child) throws InterruptedException {
        try {
            CompletableFuture.anyOf(line, child.onExit()).get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
        return line.getNow(null);
    }

    /** HOST:PORT from the destination's first line, or null when it exited or timed out first. */
    private static String awaitListening(CompletableFuture<String> listening, Process destination)
            throws InterruptedException {
        String line = awaitLine(listening, destination);
        if (line == null) {
            return null;
        }
        Matcher m = LISTENING.matcher(line);
        return m.matches() ? m.group(1) + ":" + m.group(2) : null;
    }

    private static void say(PrintWriter to, String line) {
        MigrateCommand.printLine(to, line);
    }
}
