package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.engine.IncomingMigration;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.LostGuests;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.RecordSink;
import org.migrationlab.migration.transport.TransportConfig;
import org.migrationlab.vmm.render.HumanUnits;
import org.migrationlab.vmm.web.LiveView;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmm daemon}: the destination. Listens for migrations from {@code vmm migrate}, runs each
 * incoming guest to its end on its own vCPU thread and reports it. The first line on standard output
 * is {@code listening on HOST:PORT}, with the port actually bound (for {@code --listen HOST:0}).
 */
@Command(name = "daemon", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Waits for guests migrated here by 'vmm migrate' and runs each one to its end.",
            "",
            "The first line on standard output is 'listening on HOST:PORT' (the port actually bound, so"
                + " --listen 127.0.0.1:0 picks a free one), printed once the daemon has warmed up with a small"
                + " migration inside its own JVM (--no-warm-up skips that). Then, per migration: a line when it comes in, when"
                + " every page has arrived (with the post-copy faults it took), the guest's console as it prints,"
                + " and a line when the guest ended (result, status, memory hash)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:with --once: the guest halted with status 0; without: never exits by itself",
            "1:with --once: the migration failed, or the guest halted with another status or crashed",
            "2:usage error: bad option or argument, unreadable secret, certificate or key, address not"
                + " available, missing Unicorn library",
            "3:internal error (a bug in vmm; a stack trace follows)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmm daemon --listen 0.0.0.0:7000 --secret-file secret",
            "  vmm daemon --listen 127.0.0.1:0 --secret-file secret --once \\",
            "      --json destination.json",
            "  vmm daemon --listen 127.0.0.1:7000 --secret-file secret --web 8081"})
public final class DaemonCommand implements Callable<Integer> {
    /** How many migrations may come in at once without --once. */
    static final int MAX_CONCURRENT_MIGRATIONS = 4;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", required = true, converter = HostPortConverter.class,
            description = "Address to listen on; port 0 picks a free port (printed on the first line).")
    private InetSocketAddress listen;

    @Option(names = "--secret-file", paramLabel = "FILE", required = true,
            description = "The shared secret (at least 16 bytes; a final newline is ignored), the same file as the"
                    + " source's.")
    private Path secretFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve TLS with this PEM certificate (chain); needs --tls-key.")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PKCS#8 PEM private key of --tls-cert.")
    private Path tlsKey;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Emulated one-way latency on what this side receives, like 100us or 2ms. Default: 0.")
    private long latencyNanos;

    @Option(names = "--peer-timeout", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
            description = "End a connection on which nothing (not even a heartbeat) arrived for this long."
                    + " Default: ${DEFAULT-VALUE}.")
    private long peerTimeoutNanos;

    @Option(names = "--recover-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long a guest whose link broke after the switch-over waits for its source to reconnect"
                    + " (post-copy recovery) before it is given up. Default: ${DEFAULT-VALUE}.")
    private long recoverTimeoutNanos;

    @Option(names = "--once", description = "Exit after the first migration: when its guest ended, or when it failed."
            + " One that failed on a lost link as its source was switching over is over once a recovering source"
            + " was told the guest never ran here, or at --recover-timeout.")
    private boolean once;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Write each guest's outcome here as JSON when it ended (the last one's, without --once).")
    private Path json;

    @Option(names = "--max-memory", paramLabel = "SIZE", defaultValue = "4G", converter = ByteSizeConverter.class,
            description = "Refuse guests with more RAM than this. Default: ${DEFAULT-VALUE}.")
    private long maxMemoryBytes;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Journal each migration's ownership transitions durably in DIR (destination.journal), each"
                    + " forced to disk before it takes effect; 'vmm status --state-dir DIR' lists them, also while"
                    + " the daemon runs. A daemon restarted on the same DIR tells the source of a post-copy guest an"
                    + " earlier daemon ran and lost that it is lost (GUEST_LOST), so the source resumes its own copy."
                    + " Without it nothing is written.")
    private Path stateDir;

    @Option(names = "--web", paramLabel = "PORT", arity = "0..1", fallbackValue = "8080",
            description = "Serve a live view of the latest incoming migration (the destination's guest memory page by"
                    + " page: copied before the switch-over, received and not yet touched, awaited by a network fault,"
                    + " fetched on demand, touched; the network faults' latency as they happen) at"
                    + " http://127.0.0.1:PORT/, loopback only; PORT defaults to 8080, 0 picks a free one. The line"
                    + " 'live view at URL' follows the 'listening on' line.")
    private Integer webPort;

    @Option(names = {"-q", "--quiet"}, description = "Do not echo the guests' consoles.")
    private boolean quiet;

    @Option(names = "--no-warm-up",
            description = "Listen at once, without first warming this JVM up with a small loopback migration of a"
                    + " tiny guest (the warm-up makes the first real migration's downtime and faults those of a warm"
                    + " JVM).")
    private boolean noWarmUp;

    @Override
    public Integer call() throws InterruptedException {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (JsonTarget.isStandardOutput(json)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--json needs a file here (standard output"
                    + " carries the daemon's lines)");
        }
        JsonTarget.check(json);
        TransportConfig transport = Transports.config(secretFile, tlsCert, tlsKey, null, 0, latencyNanos,
                spec.commandLine().getErr()).withPeerTimeout(FaultOptions.peerTimeoutMillis(spec.commandLine(),
                peerTimeoutNanos));
        long recoverTimeoutMillis = FaultOptions.recoverTimeoutMillis(spec.commandLine(), recoverTimeoutNanos);
        PrintWriter out = spec.commandLine().getOut();
        // Said after the 'listening on' line, which stays the first for those who read it (vmm demo).
        List<String> viewLines = new ArrayList<>();
        try (LiveView view = WebView.start(webPort, "vmm daemon: the latest incoming migration", viewLines::add)) {
            return serve(transport, recoverTimeoutMillis, view, viewLines, out);
        }
    }

    private int serve(TransportConfig transport, long recoverTimeoutMillis, LiveView view, List<String> viewLines,
                      PrintWriter out) throws InterruptedException {
        if (!noWarmUp) {
            WarmUp.runOrWarn("vmm daemon", spec.commandLine().getErr(), stateDir != null);
        }
        CompletableFuture<Integer> firstEnded = new CompletableFuture<>();
        StateJournal journal = StateJournal.open(stateDir, Owner.DESTINATION); // open for the daemon's life
        AtomicReference<Destinations> registry = new AtomicReference<>();
        Destinations destinations = new Destinations(BalloonedMachines.factory(), once ? 1 : MAX_CONCURRENT_MIGRATIONS,
                maxMemoryBytes, transport.replyTimeoutMillis(), recoverTimeoutMillis, session -> {
                    session.journal(journal.port(() -> new Journal.Details(guestLabel(session), "", "")));
                    session.linkEvents(line -> say("migration " + shortId(session) + ": " + line));
                    Thread.ofPlatform().daemon(true).name("guest-" + shortId(session)).start(() -> {
                        try {
                            firstEnded.complete(receive(session, registry.get(), recoverTimeoutMillis));
                        } catch (Throwable t) {
                            firstEnded.completeExceptionally(t);
                            MigrateCommand.printLine(spec.commandLine().getErr(), "vmm daemon: migration "
                                    + shortId(session) + ": internal error: " + OneLine.of(String.valueOf(t)));
                        }
                    });
                });
        registry.set(destinations);
        if (view != null) {
            destinations.observeArrivals(id -> view.incoming());
        }
        LostGuests lost = journal.lostGuests();
        destinations.lostGuests(lost);
        if (!lost.ids().isEmpty()) {
            MigrateCommand.printLine(spec.commandLine().getErr(), "vmm daemon: the journal shows " + lost.ids().size()
                    + " migration(s) whose guest an earlier daemon ran here and lost; a source that asks to recover"
                    + " one is told GUEST_LOST and resumes its own copy");
        }
        AtomicReference<UUID> accepted = new AtomicReference<>();
        Function<Handshake, RecordSink> resolver = handshake -> {
            // The one migration's own reconnections (post-copy recovery) are not a second migration.
            if (once && handshake.channel() == MigrationRecord.Channel.BULK
                    && !accepted.compareAndSet(null, handshake.migrationId())
                    && !handshake.migrationId().equals(accepted.get())) {
                throw new ProtocolException(AbortReason.BAD_STATE, "this destination takes one migration (--once)");
            }
            return destinations.resolve(handshake);
        };
        try (MigrationServer server = Transports.server(listen, transport, resolver)) {
            // The address as asked for (a wildcard stays 0.0.0.0, not the IPv6 form the socket may report), with
            // the port actually bound.
            MigrateCommand.printLine(out, "listening on " + HostPortConverter.format(
                    new InetSocketAddress(listen.getAddress(), server.address().getPort())));
            viewLines.forEach(line -> MigrateCommand.printLine(out, line));
            if (!once) {
                new CompletableFuture<Void>().get(); // until the process is stopped
            }
            return firstEnded.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            journal.close();
        }
    }

    /** Receives one guest, runs it to its end and reports; returns the exit code for --once. */
    private int receive(DestinationSession session, Destinations destinations, long recoverTimeoutMillis)
            throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String id = shortId(session);
        say("migration " + id + ": incoming");
        Consumer<String> console = quiet ? line -> { } : line -> MigrateCommand.printLine(out, line);
        IncomingMigration.Outcome outcome = IncomingMigration.receive(session, new IncomingMigration.Observer() {
            @Override
            public void arrived(DestinationSession.Arrival arrival, long afterNanos) {
                Migratable guest = arrival.guest();
                say("migration " + id + ": arrived after " + HumanUnits.duration(afterNanos) + ": "
                        + guestLabel(guest.config(), session.imageLabel()));
                FaultStats f = arrival.faults();
                say("migration " + id + ": faults: " + HumanUnits.count(f.networkFaults()) + " network"
                        + (f.networkFaults() == 0 ? "" : " (latency p50 " + micros(f.latency().p50Micros()) + ", p90 "
                        + micros(f.latency().p90Micros()) + ", p99 " + micros(f.latency().p99Micros()) + ", max "
                        + micros(f.latency().maxMicros()) + ")")
                        + ", " + HumanUnits.count(f.minorFaults()) + " minor; progress while pages arrived "
                        + HumanUnits.rate(arrival.progressRateDuring()) + " units/s");
                // What the guest printed so far (at the source and here), and every later line as it is printed.
                String soFar = guest.echoConsole(console).join();
                String complete = soFar.substring(0, soFar.lastIndexOf('\n') + 1);
                if (!quiet && !complete.isEmpty()) {
                    say("migration " + id + ": console since the guest booted (it moves with the guest):");
                    complete.lines().forEach(console);
                }
            }
        });
        return switch (outcome) {
            case IncomingMigration.Outcome.Failed failed -> {
                String why = OneLine.of(String.valueOf(failed.why().getMessage()));
                say("migration " + id + ": failed: " + why);
                writeJson(new DestinationReport(session.id().toString(), "", 0, 0, session.guestArgs(),
                        new GuestOutcome.Failed("the migration failed: " + why), OptionalLong.empty(), "",
                        FaultStats.NONE, Double.NaN, Double.NaN, BalloonSummary.NONE));
                if (once) {
                    MigrateCommand.printLine(err, "vmm daemon: migration " + id + " failed: " + why);
                    awaitSourceAtSwitchOver(session, destinations, recoverTimeoutMillis);
                }
                yield ExitCode.MIGRATION_FAILED.code();
            }
            case IncomingMigration.Outcome.Ended ended -> {
                ConsoleEcho.finishLine(ended.summary(), console);
                GuestOutcome guestOutcome = GuestOutcome.of(ended.end());
                say("migration " + id + ": ended: " + MigrateCommand.describe(guestOutcome) + "; memory hash "
                        + GuestSummary.hex(ended.summary().memoryHash()) + "; progress after every page arrived "
                        + HumanUnits.rate(ended.progressRateAfter()) + " units/s");
                DestinationReport report = DestinationReport.ended(session.id().toString(), ended.config(),
                        guestOutcome, ended.summary(), ended.faults(), ended.progressRateDuring(),
                        ended.progressRateAfter());
                writeJson(report);
                yield RunCommand.guestExitCode("vmm daemon: migration " + id, guestOutcome, report.console(), err);
            }
        };
    }

    /**
     * With --once, a migration whose link was lost as its source was switching over is not over for its source:
     * that source (or, if it died, its successor from its state directory) cannot know whether the guest ran
     * here, and keeps its copy until this side tells it. So the daemon stays, up to its recover timeout, to
     * answer that recovery (GUEST_LOST: the guest never ran here) rather than leave the source with silence.
     */
    private void awaitSourceAtSwitchOver(DestinationSession session, Destinations destinations,
                                         long recoverTimeoutMillis) throws InterruptedException {
        if (!session.awaitsSourceAtSwitchOver()) {
            return;
        }
        String id = shortId(session);
        say("migration " + id + ": the link was lost at the switch-over, before it got here: the guest never ran"
                + " here; waiting up to " + HumanUnits.duration(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                recoverTimeoutMillis)) + " (the recover timeout) to tell its source so");
        try {
            destinations.sourceTold(session.id()).get(recoverTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            say("migration " + id + ": told its source that the guest never ran here (GUEST_LOST): it runs the guest");
        } catch (java.util.concurrent.TimeoutException e) {
            say("migration " + id + ": no source asked within the recover timeout");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The guest as its GUEST_CONFIG described it, for the journal (empty before that record). */
    private static String guestLabel(DestinationSession session) {
        Map<String, String> args = session.guestArgs();
        return session.imageLabel() + (args.isEmpty() ? "" : ", " + args.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }

    /** The guest as the source described it: its image when it named one, else the kernel's workload. */
    static String guestLabel(MachineConfig config, String image) {
        Map<String, String> args = config.bootArgs().args();
        String workload = config.bootArgs().workload();
        String what = !image.isEmpty() && !image.startsWith(GuestOptions.BUILT_IN_KERNEL_PREFIX) ? "image " + image
                : workload.isEmpty() ? "the kernel's default workload" : workload;
        return what + ", " + HumanUnits.bytes(config.ramBytes())
                + (args.isEmpty() ? "" : ", " + args.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "))) + ", seed " + config.bootArgs().seed();
    }

    private static String micros(double us) {
        return HumanUnits.duration(Math.round(us * 1e3));
    }

    private void say(String line) {
        MigrateCommand.printLine(spec.commandLine().getOut(), line);
    }

    private synchronized void writeJson(DestinationReport report) {
        if (json != null) {
            JsonTarget.write(json, ReportJson.render(report));
        }
    }

    static String shortId(DestinationSession session) {
        return session.id().toString().substring(0, 8);
    }
}
