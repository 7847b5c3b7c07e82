package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.FaultHandler;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.VcpuRunner;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.session.GuestMachines;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.SourceSession;
import org.migrationlab.migration.stats.GuestOutcome;
import org.migrationlab.migration.stats.HumanUnits;
import org.migrationlab.migration.stats.LiveProgress;
import org.migrationlab.migration.stats.MigrationProgressPrinter;
import org.migrationlab.migration.stats.MigrationReport;
import org.migrationlab.migration.stats.MigrationReportJson;
import org.migrationlab.migration.stats.MigrationReportTable;
import org.migrationlab.migration.stats.ProgressPrinter;
import org.migrationlab.migration.stats.RunReport;
import org.migrationlab.migration.stats.SummaryTable;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmm migrate}: boots a guest, runs it, and at a given wall time or progress moves it to a
 * {@code vmm daemon}. Shows the migration's progress once a second, then its report. When the migration
 * fails before the switch-over the guest runs on here to its end (PROTOCOL §5.1).
 */
@Command(name = "migrate", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Boots a guest, runs it, and live-migrates it to a destination started with 'vmm daemon'.",
            "",
            "Echoes the guest console and, while the guest runs here, a progress line each second on stderr."
                + " The migration starts after --after (wall time) or --after-progress (the guest's progress"
                + " counter), at once if neither is given; while it runs a line each second on stderr shows its"
                + " phase, the pages remaining, pages/s and MB/s. Ends with the migration report: QEMU's"
                + " query-migrate names, pages by kind, resent pages, network faults, fault latency and progress"
                + " rates.",
            "",
            "Both ends must read the same secret (at least 16 bytes) from --secret-file; with TLS the"
                + " destination serves --tls-cert/--tls-key and the source accepts exactly the first certificate of"
                + " its --tls-cert (or --tls-pin)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the migration completed (the guest runs on at the destination)",
            "1:the migration failed (the report says why); when that happened before the switch-over, the guest"
                + " ran on here to its end and its result is printed; or the guest ended before the migration"
                + " started",
            "2:usage error: bad option or argument, unreadable secret, certificate or image, missing Unicorn"
                + " library",
            "3:internal error (a bug in vmm; a stack trace follows)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmm migrate --migrate-to 127.0.0.1:7000 --secret-file secret \\",
            "      --memory 512M --arg wss=64M --arg passes=200 --after-progress 500000 \\",
            "      --mode postcopy --prepage bubble",
            "  vmm migrate --migrate-to desthost:7000 --secret-file secret --after 2s \\",
            "      --mode precopy --downtime-target 100ms --bandwidth 1gbit --latency 100us"})
public final class MigrateCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--migrate-to", paramLabel = "HOST:PORT", required = true, converter = HostPortConverter.class,
            description = "The destination's 'vmm daemon --listen' address.")
    private InetSocketAddress destination;

    @Option(names = "--secret-file", paramLabel = "FILE", required = true,
            description = "The shared secret (at least 16 bytes; a final newline is ignored), the same file as the"
                    + " daemon's.")
    private Path secretFile;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
    private StartAt startAt;

    /** When the migration starts; neither option: at once. */
    static final class StartAt {
        @Option(names = "--after", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Start migrating this long after the guest started (like 500ms, 2s).")
        Long afterNanos;

        @Option(names = "--after-progress", paramLabel = "N",
                description = "Start migrating once the guest's progress counter reached N units.")
        Long afterProgress;
    }

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "precopy", converter = MigrationConverters.Mode.class,
            completionCandidates = MigrationConverters.Mode.class,
            description = "precopy, postcopy or hybrid (one pre-copy round, then post-copy). Default: ${DEFAULT-VALUE}.")
    private MigrationMode mode;

    @Option(names = "--prepage", paramLabel = "NAME", defaultValue = "bubble",
            converter = MigrationConverters.Prepage.class, completionCandidates = MigrationConverters.Prepage.class,
            description = "Post-copy prepaging: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    private String prepage;

    @Option(names = "--forward-only",
            description = "Bubbles grow towards higher pages only (default: both ways).")
    private boolean forwardOnly;

    @Option(names = "--stop-policy", paramLabel = "NAME", defaultValue = "downtime",
            converter = MigrationConverters.StopPolicy.class, completionCandidates = MigrationConverters.StopPolicy.class,
            description = "When pre-copy stops and switches over: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    private String stopPolicy;

    @Option(names = "--downtime-target", paramLabel = "DURATION", defaultValue = "300ms",
            converter = DurationConverter.class,
            description = "Downtime target of the downtime and auto-converge policies. Default: ${DEFAULT-VALUE}.")
    private long downtimeTargetNanos;

    @Option(names = "--dirty-log", paramLabel = "MODE", defaultValue = "dirty-bit",
            converter = MigrationConverters.DirtyLog.class, completionCandidates = MigrationConverters.DirtyLog.class,
            description = "How pre-copy logs writes: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    private DirtyLogMode dirtyLog;

    @Option(names = "--compress", description = "Deflate the pages that shrink.")
    private boolean compress;

    @Option(names = "--no-urgent-channel",
            description = "Serve post-copy page requests on the bulk connection (default: their own connection).")
    private boolean noUrgentChannel;

    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "0", converter = BandwidthConverter.class,
            description = "Emulated link bandwidth, like 1gbit, 100mbit or 125MB/s; 0 = unlimited. Default: 0.")
    private long bandwidthBitsPerSecond;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Emulated one-way latency on what this side receives, like 100us or 2ms. Default: 0.")
    private long latencyNanos;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Use TLS and accept exactly the first certificate of this PEM file (the daemon's --tls-cert:"
                    + " its leaf), by its SHA-256 fingerprint; an expired one is refused.")
    private Path tlsCert;

    @Option(names = "--tls-pin", paramLabel = "sha256:HEX",
            description = "Use TLS and accept exactly the certificate with this SHA-256 fingerprint (instead of"
                    + " --tls-cert).")
    private String tlsPin;

    @CommandLine.Mixin
    private GuestOptions guest;

    @CommandLine.Mixin
    private DsbOptions dsb;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the migration report as JSON to FILE. With '-' the JSON goes to standard"
                    + " output alone, and everything else to standard error.")
    private Path json;

    @Option(names = {"-q", "--quiet"},
            description = "Do not echo the guest console or print progress lines; print only the report.")
    private boolean quiet;

    /** For 'vmm demo', which prints the report itself (with the oracle's verdict). */
    @Option(names = "--no-report-table", hidden = true)
    private boolean noReportTable;

    @Override
    public Integer call() throws InterruptedException {
        if (destination.getPort() == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--migrate-to needs the daemon's port, not 0");
        }
        MachineConfig config = guest.machineConfig(false, dsb);
        GuestImage image = guest.guestImage();
        JsonTarget.check(json);
        MigrationConfig migration = migrationConfig();
        TransportConfig transport = Transports.config(secretFile, tlsCert, null, tlsPin, bandwidthBitsPerSecond,
                latencyNanos, spec.commandLine().getErr());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = JsonTarget.isStandardOutput(json) ? err : spec.commandLine().getOut();
        Consumer<String> console = quiet ? line -> { } : line -> printLine(out, line);
        Consumer<String> progressLines = line -> printLine(err, line);

        try (MigrationClient client = Transports.client(transport);
             Machine machine = GuestMachines.boot(config, image)) {
            LiveProgress live = new LiveProgress();
            CompletableFuture<Void> reached = new CompletableFuture<>();
            long startProgress = startAt != null && startAt.afterProgress != null ? startAt.afterProgress : -1;
            machine.console().echoLinesTo(console);
            machine.counters().listener((counter, value) -> {
                live.update(counter, value, machine.clock().nanos());
                if (counter == 0 && startProgress >= 0 && value >= startProgress) {
                    reached.complete(null);
                }
            });
            if (startProgress < 0) {
                long delay = startAt != null && startAt.afterNanos != null ? startAt.afterNanos : 0;
                reached.completeOnTimeout(null, delay, TimeUnit.NANOSECONDS);
            }
            long guestStart = System.nanoTime();
            VcpuRunner runner = VcpuRunner.start(machine, FaultHandler.NONE, GuestRun.VCPU_THREAD);
            try {
                ProgressPrinter guestProgress = quiet ? null : ProgressPrinter.start(live, progressLines);
                try {
                    CompletableFuture.anyOf(reached, runner.finished()).get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                } finally {
                    if (guestProgress != null) {
                        guestProgress.close();
                    }
                }
                if (!reached.isDone()) {
                    err.println("vmm migrate: the guest ended before the migration started (at progress "
                            + HumanUnits.count(live.snapshot().progress()) + ")");
                    err.flush();
                    runOnHere(runner, config, guestStart, out, console);
                    return ExitCode.MIGRATION_FAILED.code();
                }
                long migrationStart = System.nanoTime();
                long progressAtStart = live.snapshot().progress();
                if (!quiet) {
                    printLine(err, "vmm migrate: migrating to " + HostPortConverter.format(destination) + " at progress "
                            + HumanUnits.count(progressAtStart) + " (" + describe(migration) + ")");
                }
                SourceSession session = new SourceSession(machine, runner, migration, client, destination,
                        transport.replyTimeoutMillis());
                MigrationReport report;
                try (MigrationProgressPrinter printer = quiet ? null
                        : MigrationProgressPrinter.start(session.progress(), progressLines)) {
                    report = session.migrate();
                } catch (RuntimeException e) {
                    // The session could not even hand the guest back; it is held here and cannot finish.
                    printLine(err, "vmm migrate: the migration failed: " + OneLine.of(String.valueOf(e.getMessage()))
                            + (e.getCause() == null ? "" : ": " + OneLine.of(String.valueOf(e.getCause()))));
                    return ExitCode.MIGRATION_FAILED.code();
                }
                double before = rate(progressAtStart, migrationStart - guestStart);
                report = report.withProgress(new MigrationReport.ProgressRates(before, report.progress().during(),
                        report.progress().after()));
                if (!noReportTable) {
                    out.print(TerminalText.escapeLines(MigrationReportTable.render(report)));
                    out.flush();
                }
                writeJson(report);
                if (report.completed()) {
                    return ExitCode.SUCCESS.code();
                }
                err.println("vmm migrate: the migration failed: " + OneLine.of(report.error()));
                err.flush();
                if (guestStayedHere(report)) {
                    runOnHere(runner, config, guestStart, out, console);
                }
                return ExitCode.MIGRATION_FAILED.code();
            } finally {
                runner.close();
            }
        }
    }

    private MigrationConfig migrationConfig() {
        long downtimeMillis = TimeUnit.NANOSECONDS.toMillis(downtimeTargetNanos);
        if (downtimeMillis <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--downtime-target must be at least 1ms");
        }
        return new MigrationConfig(mode, stopPolicy, prepage, forwardOnly, downtimeMillis, dirtyLog, compress,
                !noUrgentChannel);
    }

    static String describe(MigrationConfig c) {
        return switch (c.mode()) {
            case PRECOPY -> "precopy, stop policy " + c.stopPolicy();
            case POSTCOPY, HYBRID -> MigrationConverters.Mode.name(c.mode()) + ", prepage " + c.prepage()
                    + (c.forwardOnly() ? " (forward)" : "");
        };
    }

    /**
     * Whether the guest is still this side's after a failed migration: the session resumed it here when
     * the failure came before the destination said RESUMED (PROTOCOL §5.1), and says so in the error.
     */
    static boolean guestStayedHere(MigrationReport report) {
        return !report.completed() && report.error() != null
                && report.error().contains("keeps running on the source");
    }

    /** Lets the guest run to its end here and prints its summary, as 'vmm run' does. */
    private void runOnHere(VcpuRunner runner, MachineConfig config, long guestStart, PrintWriter out,
                           Consumer<String> console) throws InterruptedException {
        VcpuExit exit;
        try {
            exit = runner.finished().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        long wallNanos = System.nanoTime() - guestStart;
        GuestOutcome outcome = GuestRun.outcome(exit);
        GuestOutcome ended = outcome != null ? outcome
                : new GuestOutcome.Failed("the vCPU stopped before the guest ended");
        RunReport report;
        try {
            report = runner.atPause(m -> {
                GuestRun.echoUnfinishedLine(m.console().text(), m.console().droppedBytes(), console);
                return GuestRun.report(config, guest.imageLabel(), m, ended, wallNanos);
            }, VcpuRunner.Then.RESUME).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the guest's end state", e);
        }
        PrintWriter err = spec.commandLine().getErr();
        printLine(err, "vmm migrate: the guest ran on here and ended: " + describe(ended));
        out.print(SummaryTable.render(report));
        out.flush();
    }

    static String describe(GuestOutcome outcome) {
        return switch (outcome) {
            case GuestOutcome.Halted h -> "halted, status " + h.status() + ", result " + HumanUnits.hex64(h.result());
            case GuestOutcome.Crashed c -> "crashed: " + c.kind() + ": " + OneLine.of(c.message());
            case GuestOutcome.Failed f -> "failed: " + OneLine.of(f.message());
        };
    }

    private void writeJson(MigrationReport report) {
        if (json == null) {
            return;
        }
        String text = MigrationReportJson.render(report);
        if (JsonTarget.isStandardOutput(json)) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return;
        }
        JsonTarget.write(json, text);
    }

    private static double rate(long units, long nanos) {
        return nanos <= 0 ? Double.NaN : units * 1e9 / nanos;
    }

    /** Prints one line (a guest's console line, a daemon's report of a peer) escaped for the terminal. */
    static void printLine(PrintWriter writer, String line) {
        synchronized (writer) {
            writer.println(TerminalText.escape(line));
            writer.flush();
        }
    }
}
