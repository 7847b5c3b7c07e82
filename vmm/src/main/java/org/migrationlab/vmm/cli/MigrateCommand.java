package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.Machines;
import org.migrationlab.emulator.port.AbsentPageHandler;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.GuestStateCodec;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.engine.OutgoingMigration;
import org.migrationlab.migration.engine.Retries;
import org.migrationlab.migration.engine.SourceOutcome;
import org.migrationlab.migration.engine.StartTrigger;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.journal.FlushGate;
import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.policy.LoadedPolicy;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.restart.CheckpointGuest;
import org.migrationlab.migration.restart.CheckpointSink;
import org.migrationlab.migration.restart.SourceCheckpoint;
import org.migrationlab.migration.restart.SourceStateDir;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.OperatorFence;
import org.migrationlab.migration.session.SourceSession;
import org.migrationlab.migration.step.StepGate;
import org.migrationlab.migration.step.Stepper;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;
import org.migrationlab.vmm.render.HumanUnits;
import org.migrationlab.vmm.render.MigrationProgressPrinter;
import org.migrationlab.vmm.render.MigrationReportTable;
import org.migrationlab.vmm.render.ProgressPrinter;
import org.migrationlab.vmm.render.SummaryTable;
import org.migrationlab.vmm.web.LiveView;

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
                + " ran on here to its end and its result is printed",
            "2:usage error: bad option or argument, unreadable secret, certificate or image, missing Unicorn"
                + " library",
            "3:internal error (a bug in vmm; a stack trace follows)",
            "4:nothing live was migrated: the guest ended before the migration started (its result is printed),"
                + " or before the switch-over (the report's guest-ended-before-switch-over is true)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmm migrate --migrate-to 127.0.0.1:7000 --secret-file secret \\",
            "      --memory 512M --arg wss=64M --arg passes=200 --after-progress 500000 \\",
            "      --mode postcopy --prepage bubble",
            "  vmm migrate --migrate-to desthost:7000 --secret-file secret --after 2s \\",
            "      --mode precopy --downtime-target 100ms --bandwidth 1gbit --latency 100us"})
public final class MigrateCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--migrate-to", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "The destination's 'vmm daemon --listen' address (required, except with --recover).")
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

    @Option(names = "--hold-at", paramLabel = "N",
            description = "Park the guest when its progress counter reaches N (not before --after-progress), until the"
                    + " migration is over: a guest that would finish before a slow migration switches over is still"
                    + " migrated live. It runs on here if the migration fails. The report says where it was held.")
    private Long holdAt;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "precopy", converter = MigrationConverters.Mode.class,
            completionCandidates = MigrationConverters.Mode.class,
            description = "precopy, postcopy, hybrid (one pre-copy round, then post-copy) or stop-and-copy (no live"
                    + " round: every page is sent while the guest is paused). Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "30",
            description = "Pre-copy rounds in all, stop-and-copy included, before any stop policy switches over"
                    + " (Xen's cap). Default: ${DEFAULT-VALUE}.")
    private int maxRounds;

    @Option(names = "--cpu-throttle-initial", paramLabel = "PERCENT", defaultValue = "20",
            description = "auto-converge: the first throttle, in percent of the guest's time (QEMU's"
                    + " cpu-throttle-initial). Default: ${DEFAULT-VALUE}.")
    private int throttleInitial;

    @Option(names = "--cpu-throttle-increment", paramLabel = "PERCENT", defaultValue = "10",
            description = "auto-converge: what each later step adds, up to 99 %% (QEMU's cpu-throttle-increment)."
                    + " Default: ${DEFAULT-VALUE}.")
    private int throttleIncrement;

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
    private FaultOptions faultOptions;

    @CommandLine.Mixin
    private GuestOptions guest;

    @CommandLine.Mixin
    private DsbOptions dsb;

    @CommandLine.Mixin
    private PolicyClassOptions policyClasses;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the migration report as JSON to FILE. With '-' the JSON goes to standard"
                    + " output alone, and everything else to standard error.")
    private Path json;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "Start the migration again, up to N times, when it fails while the guest is still this"
                    + " side's (before the switch-over, or refused after it); the guest runs on between attempts,"
                    + " which wait 0.5 s, doubling up to 10 s. Default: ${DEFAULT-VALUE}.")
    private int retries;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Journal the migration's ownership transitions durably in DIR (source.journal), each"
                    + " forced to disk before it takes effect; 'vmm status --state-dir DIR' lists them. The guest's RAM"
                    + " is a file there (source.ram) and, in post-copy and hybrid, its frozen state is forced to disk"
                    + " there (source.state) before SWITCH_OVER goes out. Without it nothing is written.")
    private Path stateDir;

    @Option(names = "--recover", paramLabel = "DIR",
            description = "Finish the post-copy migration whose source process died, from its --state-dir DIR: reopens"
                    + " the guest's RAM and frozen state there, reconnects to the destination (its address is in DIR),"
                    + " learns which pages it lacks and serves exactly those; if the destination proves it never ran"
                    + " the guest (or lost it), runs the guest here from that state instead (a rollback, exit code 1)."
                    + " Give the secret, TLS and policy class options again.")
    private Path recoverDir;

    @Option(names = {"-q", "--quiet"},
            description = "Do not echo the guest console or print progress lines; print only the report.")
    private boolean quiet;

    @Option(names = "--no-warm-up",
            description = "Boot the guest at once, without first warming this JVM up with a small loopback migration"
                    + " of a tiny guest.")
    private boolean noWarmUp;

    /** For 'vmm demo': the guest's end when it ran on here (after a failure or a rollback), for its oracle. */
    @Option(names = "--outcome-json", paramLabel = "FILE", hidden = true)
    private Path outcomeJson;

    @Option(names = "--web", paramLabel = "PORT", arity = "0..1", fallbackValue = "8080",
            description = "Serve a live view of the migration (the guest's memory page by page, the phase, the"
                    + " counters, the link's timeline) at http://127.0.0.1:PORT/, loopback only; PORT defaults to"
                    + " 8080, 0 picks a free one.")
    private Integer webPort;

    @Option(names = "--peer-view", paramLabel = "URL",
            description = "With --web: the destination's live view (the 'live view at URL' of 'vmm daemon --web'),"
                    + " which the page opens as well, to draw the destination's guest memory and its network faults'"
                    + " latency beside the source's.")
    private String peerView;

    @Option(names = "--step",
            description = "Step mode (needs --web): the migration starts paused before its first pre-copy round or"
                    + " prepaging batch; the page's controls run, pause, or advance one pre-copy round, one"
                    + " prepaging batch or one guest slice at a time. Until the switch-over the guest runs while the"
                    + " migration moves and is parked while it is held; a guest slice lets it run --slice units of"
                    + " progress.")
    private boolean step;

    @Option(names = "--slice", paramLabel = "N", defaultValue = "" + Stepper.DEFAULT_SLICE_UNITS,
            description = "Step mode: the units of the guest's progress counter one guest slice runs (the guest stops"
                    + " at the progress report that reaches them: a workload reports 64 or more at a time)."
                    + " Default: ${DEFAULT-VALUE}.")
    private long sliceUnits;

    /** For 'vmm demo', which prints the report itself (with the oracle's verdict). */
    @Option(names = "--no-report-table", hidden = true)
    private boolean noReportTable;

    @Override
    public Integer call() throws InterruptedException {
        if (recoverDir != null) {
            return recover();
        }
        if (destination == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--migrate-to is required (or --recover DIR)");
        }
        if (destination.getPort() == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--migrate-to needs the daemon's port, not 0");
        }
        if (step && webPort == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--step needs --web (its controls are on the page)");
        }
        checkPeerView();
        if (step && !mode.hasLiveRounds() && !mode.hasPostcopyPhase()) {
            // Steps are pre-copy rounds and prepaging batches: a stop-and-copy migration has neither.
            throw new CommandLine.ParameterException(spec.commandLine(), "--step: a " + MigrationConverters.Mode.name(mode)
                    + " migration has nothing to step (no pre-copy round, no prepaging batch)");
        }
        if (sliceUnits <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--slice must be positive: " + sliceUnits);
        }
        if (step && holdAt != null) {
            // Both park the source's guest: step mode would let a held guest run.
            throw new CommandLine.ParameterException(spec.commandLine(), "--step and --hold-at both park the guest:"
                    + " give one of them");
        }
        long holdPoint = holdPoint();
        MachineConfig config = guest.machineConfig(false, dsb);
        GuestImage image = guest.guestImage();
        JsonTarget.check(json);
        PrintWriter err = spec.commandLine().getErr();
        MigrationConfig migration = migrationConfig().withLoaded(policyClasses.loaded("vmm migrate", err));
        FaultPlan plan = faultOptions.plan(spec.commandLine());
        long peerTimeoutMillis = FaultOptions.peerTimeoutMillis(spec.commandLine(), faultOptions.peerTimeoutNanos);
        TransportConfig transport = Transports.config(secretFile, tlsCert, null, tlsPin, bandwidthBitsPerSecond,
                latencyNanos, spec.commandLine().getErr()).withPeerTimeout(peerTimeoutMillis).withFaults(plan);
        PrintWriter out = JsonTarget.isStandardOutput(json) ? err : spec.commandLine().getOut();
        if (!noWarmUp) {
            WarmUp.runOrWarn("vmm migrate", err, stateDir != null);
        }
        Consumer<String> console = quiet ? line -> { } : line -> printLine(out, line);
        if (plan != null) {
            // The plan as it will run, random faults expanded: rerunning with it replays the same faults.
            printLine(err, "vmm migrate: fault plan: " + plan.print());
        }
        OperatorFence fence = new OperatorFence(); // reached by 'vmm rollback' through the state directory
        Journal.Details journaled = new Journal.Details(DaemonCommand.guestLabel(config, guest.imageLabel()),
                HostPortConverter.format(destination), plan == null ? "" : Long.toString(plan.seed()));
        // With a state directory the guest's RAM and the switch-over's checkpoint live there, so that a new
        // process ('--recover DIR') can finish a post-copy migration whose source died. Its journal's disk
        // flushes wait with the checkpoint's while the switch-over goes on.
        SourceStateDir states = stateDir == null ? null : new SourceStateDir(stateDir);
        try (LiveView view = WebView.start(webPort, "vmm migrate to " + HostPortConverter.format(destination)
                + " (" + describe(migration) + ")", line -> printLine(err, "vmm migrate: " + line));
             StateJournal journal = StateJournal.open(stateDir, Owner.SOURCE, states == null ? new FlushGate()
                     : states.flushGate());
             FenceSocket fenceSocket = FenceSocket.open(stateDir, fence);
             MigrationClient client = Transports.client(transport, line -> printLine(err, "vmm migrate: " + line))) {
            if (view != null) {
                view.peerView(peerView);
            }
            Lines lines = new Lines(console, line -> printLine(err, line), migration, view);
            Stepper stepper = step ? new Stepper(true, sliceUnits) : null;
            if (stepper != null) {
                view.steps(stepper);
                printLine(err, "vmm migrate: step mode: the migration waits for the page's controls");
            }
            GuestFactory machines = PolicyClassOptions.machines(migration.loaded());
            if (states != null) {
                machines = machines.withRamFile(states.ramFile());
            }
            SourceOutcome outcome = OutgoingMigration.run(new OutgoingMigration.Request(
                    machines, config, image, guest.imageLabel(), trigger(),
                    migration, client, destination, transport.replyTimeoutMillis(), holdPoint), lines,
                    journal.port(() -> journaled), retries(), stepper == null ? StepGate.OPEN : stepper, fence,
                    states == null ? CheckpointSink.NONE : states);
            lines.close();
            if (view != null && !view.watched()) {
                printLine(err, "vmm migrate: nobody has opened the live view yet: it stays at " + view.url()
                        + " for " + WebView.LINGER_SECONDS + " s");
                view.awaitFirstViewer(TimeUnit.SECONDS.toMillis(WebView.LINGER_SECONDS));
            }
            return switch (outcome) {
                case SourceOutcome.EndedBeforeMigration ended -> {
                    printLine(err, "vmm migrate: the guest ended before the migration started (at progress "
                            + HumanUnits.count(ended.guest().summary().progressUnits()) + "): nothing was migrated");
                    ranOnHere(config, ended.guest(), out, console);
                    MigrationReport notStarted = MigrationReport.notStarted(
                            migration.mode().label(), config.ramBytes(),
                            "the guest ended before the migration started");
                    if (view != null) {
                        view.ended(notStarted);
                    }
                    writeJson(notStarted);
                    yield ExitCode.NOTHING_LIVE_MIGRATED.code();
                }
                case SourceOutcome.Migrated migrated -> {
                    report(migrated.report(), out);
                    if (migrated.report().scheme().guestEndedBeforeSwitchOver()) {
                        printLine(err, "vmm migrate: the guest had ended before the switch-over: the migration"
                                + " completed, but nothing live was migrated");
                        yield ExitCode.NOTHING_LIVE_MIGRATED.code();
                    }
                    yield ExitCode.SUCCESS.code();
                }
                case SourceOutcome.Failed failed -> {
                    report(failed.report(), out);
                    printLine(err, "vmm migrate: the migration " + (failed.report().status().equals(
                            MigrationReport.ROLLED_BACK) ? "rolled back: " : "failed: ")
                            + OneLine.of(failed.report().error()));
                    failed.ranOnHere().ifPresent(here -> ranOnHere(config, here, out, console));
                    yield ExitCode.MIGRATION_FAILED.code();
                }
            };
        }
    }

    /** --peer-view is a page to open beside this one: it needs this one (--web) and an http address. */
    private void checkPeerView() {
        if (peerView == null) {
            return;
        }
        if (webPort == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--peer-view needs --web (it is shown on its page)");
        }
        if (!peerView.matches("http://[^/\\s\"'<>]+/?")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--peer-view needs an address like"
                    + " http://127.0.0.1:8081/, not '" + peerView + "'");
        }
    }

    /** {@code --recover DIR}: a new source process finishes the migration its dead predecessor left in DIR. */
    private int recover() throws InterruptedException {
        checkPeerView();
        if (destination != null || stateDir != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--recover DIR takes the destination and the"
                    + " state directory from DIR: drop --migrate-to and --state-dir");
        }
        if (holdAt != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hold-at: a recovering source's guest is"
                    + " past its switch-over already; there is nothing to hold");
        }
        if (step) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--step: a recovering source has nothing to"
                    + " step (its pre-copy and switch-over are over; it serves the pages the destination lacks): use"
                    + " --web alone to watch it");
        }
        JsonTarget.check(json);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = JsonTarget.isStandardOutput(json) ? err : spec.commandLine().getOut();
        String where = "--recover " + recoverDir + ": ";
        if (!Files.isDirectory(recoverDir)) {
            throw new UserInputException(where + "no such directory");
        }
        SourceStateDir states = new SourceStateDir(recoverDir);
        SourceCheckpoint saved;
        try {
            saved = states.read().orElseThrow(() -> new UserInputException(where + "no migration to recover (no "
                    + SourceStateDir.STATE_FILE + ": no post-copy migration switched over with --state-dir here)"));
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new UserInputException(where + e.getMessage());
        }
        try (StateJournal journal = StateJournal.open(recoverDir, Owner.SOURCE)) {
            JournalEntry latest = journal.latest(saved.migrationId()).orElseThrow(() -> new UserInputException(where
                    + "the journal has no entry of migration " + saved.migrationId()));
            String refusal = switch (latest.phase()) {
                case COMPLETED -> "migration " + saved.migrationId() + " already completed: nothing to recover";
                case ROLLED_BACK -> "migration " + saved.migrationId() + " was rolled back to the source";
                case SOURCE_OWNS -> "migration " + saved.migrationId() + " never switched over";
                case FAILED -> latest.owner() == Owner.SOURCE ? "migration " + saved.migrationId()
                        + " failed while the guest was the source's" : null;
                case SWITCH_OVER_SENT, DESTINATION_OWNS -> null;
            };
            if (refusal != null) {
                throw new UserInputException(where + refusal);
            }
            SourceCheckpoint taken = saved.restarted();
            states.save(taken); // durable first: a later restart must start above this one's epochs
            // The policy classes again: the new source prepages with the same strategy, and a guest it runs again
            // here (a rollback) gets the same balloon policy.
            MigrationConfig migration = migrationConfig().withMode(saved.mode())
                    .withLoaded(policyClasses.loaded("vmm migrate", err));
            long peerTimeoutMillis = FaultOptions.peerTimeoutMillis(spec.commandLine(), faultOptions.peerTimeoutNanos);
            TransportConfig transport = Transports.config(secretFile, tlsCert, null, tlsPin, bandwidthBitsPerSecond,
                    latencyNanos, err).withPeerTimeout(peerTimeoutMillis);
            InetSocketAddress to = HostPortConverter.parse(saved.destination());
            GuestState frozen = GuestStateCodec.decode(saved.guestState());
            PageBitmap ballooned = frozen.ballooned();
            Journal.Details journaled = new Journal.Details(DaemonCommand.guestLabel(saved.config(),
                    saved.imageLabel()), saved.destination(), "");
            Consumer<String> console = quiet ? line -> { } : line -> printLine(out, line);
            RestartedHere here = new RestartedHere();
            try (Migratable stored = Machines.stored(saved.config(), states.ramFile(), ballooned);
                 LiveView view = WebView.start(webPort, "vmm migrate --recover to " + saved.destination() + " ("
                         + describe(migration) + ")", line -> printLine(err, "vmm migrate: " + line));
                 MigrationClient client = Transports.client(transport, line -> printLine(err, "vmm migrate: " + line));
                 here) {
                SourceSession session = new SourceSession(stored, saved.imageLabel(), migration, client, to,
                        transport.replyTimeoutMillis());
                session.journal(journal.port(() -> journaled));
                if (view != null) {
                    view.peerView(peerView);
                    view.guest(stored.pageCount());
                    view.watch(session.progress());
                }
                printLine(err, "vmm migrate: recovering migration " + saved.migrationId() + " from " + recoverDir
                        + " (source restart " + taken.restarts() + ") to " + saved.destination());
                MigrationProgressPrinter printer = quiet ? null
                        : MigrationProgressPrinter.start(session.progress(), line -> printLine(err, line));
                MigrationReport report;
                try {
                    report = session.finishAfterRestart(taken, () -> here.start(
                            PolicyClassOptions.machines(migration.loaded()), stored, frozen, console));
                } finally {
                    if (printer != null) {
                        printer.close();
                    }
                }
                report(report, out);
                if (view != null) {
                    view.ended(report);
                }
                if (report.completed()) {
                    return ExitCode.SUCCESS.code();
                }
                if (report.status().equals(MigrationReport.ROLLED_BACK) && here.guest != null) {
                    printLine(err, "vmm migrate: the destination never ran the guest, or lost it: it runs again here"
                            + " from the checkpoint at the switch-over: " + OneLine.of(report.error()));
                    ranOnHere(saved.config(), saved.imageLabel(), here.awaitEnd(), out, console);
                    return ExitCode.MIGRATION_FAILED.code();
                }
                printLine(err, "vmm migrate: the recovery failed: " + OneLine.of(report.error()));
                return ExitCode.MIGRATION_FAILED.code();
            }
        }
    }

    /** A recovering source's guest run again here from its checkpoint (a rollback); none until then. */
    private static final class RestartedHere implements AutoCloseable {
        private volatile Migratable guest;
        private long startedNanos;

        void start(GuestFactory machines, Migratable stored, GuestState frozen,
                   Consumer<String> console) {
            Migratable restored = CheckpointGuest.restore(machines, stored, frozen);
            guest = restored;
            startedNanos = System.nanoTime();
            restored.start(AbsentPageHandler.NONE); // every page is present
            restored.echoConsole(console);
        }

        SourceOutcome.EndedHere awaitEnd() throws InterruptedException {
            try {
                var end = guest.ended().get();
                long wallNanos = System.nanoTime() - startedNanos;
                return new SourceOutcome.EndedHere(end, guest.summary().get(), wallNanos);
            } catch (ExecutionException e) {
                throw new IllegalStateException("the guest's vCPU failed: " + e.getCause(), e.getCause());
            }
        }

        @Override
        public void close() {
            if (guest != null) {
                guest.close();
            }
        }
    }

    /** The progress of --hold-at, or -1 without it. */
    private long holdPoint() {
        if (holdAt == null) {
            return -1;
        }
        if (holdAt < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hold-at must not be negative: " + holdAt);
        }
        if (startAt != null && startAt.afterProgress != null && holdAt < startAt.afterProgress) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hold-at " + holdAt + " lies before"
                    + " --after-progress " + startAt.afterProgress + ": the guest would park before the migration"
                    + " started");
        }
        return holdAt;
    }

    /** The trigger of --after or --after-progress; at once without either. */
    private StartTrigger trigger() {
        if (startAt != null && startAt.afterProgress != null) {
            return new StartTrigger.AtProgress(startAt.afterProgress);
        }
        if (startAt != null && startAt.afterNanos != null) {
            return new StartTrigger.AfterWallTime(startAt.afterNanos);
        }
        return StartTrigger.NOW;
    }

    /**
     * What the command prints while the migration runs: the console, then a guest progress line each
     * second until the migration starts, then a migration progress line each second.
     */
    private Retries retries() {
        try {
            return Retries.of(retries);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--retries: " + e.getMessage());
        }
    }

    private static final Set<String> PAUSED_PHASES = Set.of("postcopy-paused", "postcopy-recover");

    private final class Lines implements OutgoingMigration.Observer, AutoCloseable {
        private final Consumer<String> console;
        private final Consumer<String> progressLines;
        private final MigrationConfig migration;
        private ProgressPrinter guestProgress;
        private MigrationProgressPrinter migrationProgress;
        private final LiveView view; // null without --web

        Lines(Consumer<String> console, Consumer<String> progressLines, MigrationConfig migration, LiveView view) {
            this.view = view;
            this.console = console;
            this.progressLines = progressLines;
            this.migration = migration;
        }

        @Override
        public void booted(Migratable booted) {
            booted.echoConsole(console);
            if (view != null) {
                view.guest(booted.pageCount());
            }
            if (!quiet) {
                guestProgress = ProgressPrinter.start(booted.progress(), progressLines);
            }
        }

        @Override
        public void endedBeforeMigration(long progressUnits) {
            close();
        }

        @Override
        public void migrating(long progressUnits, MigrationProgress progress) {
            close();
            // Said as it happens, quiet or not: a paused post-copy is the one state an operator may have to act on.
            progress.onPhaseChange((from, to) -> {
                if (PAUSED_PHASES.contains(to) && !PAUSED_PHASES.contains(from)) {
                    progressLines.accept("vmm migrate: the link to the destination is lost after the switch-over:"
                            + " postcopy-paused, redialling until the recover timeout" + (stateDir == null ? ""
                            : "; only if the destination is known dead: vmm rollback --state-dir " + stateDir));
                } else if (PAUSED_PHASES.contains(from) && !PAUSED_PHASES.contains(to)) {
                    progressLines.accept("vmm migrate: post-copy recovered (phase " + to + ")");
                }
            });
            if (view != null) {
                view.watch(progress);
            }
            if (!quiet) {
                progressLines.accept("vmm migrate: migrating to " + HostPortConverter.format(destination)
                        + " at progress " + HumanUnits.count(progressUnits) + " (" + describe(migration) + ")");
                migrationProgress = MigrationProgressPrinter.start(progress, progressLines);
            }
        }

        @Override
        public void retrying(int retry, int of, long backoffMillis, MigrationReport failed) {
            close();
            progressLines.accept("vmm migrate: attempt " + retry + " failed with the guest still here ("
                    + OneLine.of(failed.error()) + "); retry " + retry + " of " + of + " in "
                    + HumanUnits.duration(TimeUnit.MILLISECONDS.toNanos(backoffMillis)));
        }

        @Override
        public void migrated(MigrationReport report) {
            close();
            if (view != null) {
                view.ended(report);
            }
        }

        @Override
        public void close() {
            if (guestProgress != null) {
                guestProgress.close();
                guestProgress = null;
            }
            if (migrationProgress != null) {
                migrationProgress.close();
                migrationProgress = null;
            }
        }
    }

    private void report(MigrationReport report, PrintWriter out) {
        if (!noReportTable) {
            out.print(TerminalText.escapeLines(MigrationReportTable.render(report)));
            out.flush();
        }
        writeJson(report);
    }

    MigrationConfig migrationConfig() {
        long downtimeMillis = TimeUnit.NANOSECONDS.toMillis(downtimeTargetNanos);
        if (downtimeMillis <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--downtime-target must be at least 1ms");
        }
        PrecopyLimits limits;
        try {
            limits = new PrecopyLimits(maxRounds, throttleInitial, throttleIncrement);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return new MigrationConfig(mode, stopPolicy, prepage, forwardOnly, downtimeMillis, dirtyLog, compress,
                !noUrgentChannel, limits, FaultOptions.recoverTimeoutMillis(spec.commandLine(),
                faultOptions.recoverTimeoutNanos));
    }

    static String describe(MigrationConfig c) {
        return switch (c.mode()) {
            case PRECOPY -> "precopy, stop policy " + c.loaded().stop().map(LoadedPolicy::label).orElse(c.stopPolicy());
            case POSTCOPY, HYBRID -> MigrationConverters.Mode.name(c.mode()) + ", prepage "
                    + c.loaded().prepage().map(LoadedPolicy::label).orElse(c.prepage())
                    + (c.forwardOnly() ? " (forward)" : "");
            case STOP_AND_COPY -> MigrationConverters.Mode.name(c.mode()); // neither stops nor prepages
        };
    }

    /** The guest ran on here to its end: says how it ended and prints its summary, as 'vmm run' does. */
    private void ranOnHere(MachineConfig config, SourceOutcome.EndedHere here, PrintWriter out,
                           Consumer<String> console) {
        ranOnHere(config, guest.imageLabel(), here, out, console);
    }

    private void ranOnHere(MachineConfig config, String imageLabel, SourceOutcome.EndedHere here, PrintWriter out,
                           Consumer<String> console) {
        ConsoleEcho.finishLine(here.summary(), console);
        RunReport report = RunReport.of(config, imageLabel, here.end(), here.summary(), here.wallNanos());
        if (outcomeJson != null) {
            JsonTarget.write(outcomeJson, ReportJson.render(DestinationReport.ended("", config, report.outcome(),
                    here.summary(), FaultStats.NONE, Double.NaN, Double.NaN)));
        }
        printLine(spec.commandLine().getErr(), "vmm migrate: the guest ran on here and ended: "
                + describe(report.outcome()));
        out.print(TerminalText.escapeLines(SummaryTable.render(report)));
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
        String text = ReportJson.render(report);
        if (JsonTarget.isStandardOutput(json)) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return;
        }
        JsonTarget.write(json, text);
    }

    static void printLine(PrintWriter writer, String line) {
        synchronized (writer) {
            writer.println(TerminalText.escape(line));
            writer.flush();
        }
    }
}
