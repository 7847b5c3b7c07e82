package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.engine.OutgoingMigration;
import org.migrationlab.migration.engine.SourceOutcome;
import org.migrationlab.migration.engine.StartTrigger;
import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;
import org.migrationlab.migration.journal.JournalFiles;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.restart.SourceCheckpoint;
import org.migrationlab.migration.restart.SourceStateDir;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.journal.chronicle.ChronicleJournalStore;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.vmm.testing.RunningVmm;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * {@code --state-dir}: a post-copy migration from {@code vmm migrate} to {@code vmm daemon} (both in this
 * JVM) leaves each side's ownership transitions in its journal, and {@code vmm status}, in another process,
 * lists them while the daemon still runs.
 */
@Timeout(180)
class StateDirTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+)");

    @TempDir
    Path dir;

    private Path secret;
    private ExecutorService threads;

    @BeforeEach
    void setUp() throws IOException {
        secret = Files.writeString(dir.resolve("secret"), "state-dir-test-secret-0123456789\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        threads = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        threads.shutdownNow(); // ends the daemon, which closes its journal
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("command threads ended").isTrue();
    }

    private RunningVmm start(String... args) {
        return RunningVmm.start(threads, args);
    }

    @Test
    void bothSidesJournalTheirOwnershipTransitionsAndStatusListsThemFromAnotherProcess() throws Exception {
        Path destinationState = dir.resolve("destination-state");
        Path sourceState = dir.resolve("source-state");
        RunningVmm daemon = start("daemon", "--no-warm-up", "--quiet", "--listen", "127.0.0.1:0", "--secret-file",
                secret.toString(), "--state-dir", destinationState.toString());
        int port = awaitPort(daemon);

        RunningVmm source = start("migrate", "--no-warm-up", "--quiet", "--migrate-to", "127.0.0.1:" + port,
                "--secret-file", secret.toString(), "--mode", "postcopy", "--memory", "64M", "--workload", "wss",
                "--arg", "wss=4M", "--arg", "passes=2000", "--after-progress", "2000", "--faults", "seed=7",
                "--state-dir", sourceState.toString(), "--json", dir.resolve("migration.json").toString());
        assertThat(source.awaitExit(90)).as("migrate; stderr: %s", source.err()).isZero();
        // What the durable writes cost is timed where they are done, inside the send
        org.migrationlab.migration.report.DowntimeBreakdown parts = org.migrationlab.migration.report.ReportJson
                .readMigrationReport(Files.readString(dir.resolve("migration.json"))).timing().downtimeBreakdown();
        assertThat(parts.durableMs()).as("send-durable-writes").isPositive();

        List<JournalEntry> sourceSide = read(JournalFiles.of(sourceState, Owner.SOURCE));
        assertThat(sourceSide).extracting(JournalEntry::phase).containsExactly(Phase.SOURCE_OWNS,
                Phase.SWITCH_OVER_SENT, Phase.DESTINATION_OWNS, Phase.COMPLETED);
        assertThat(sourceSide).extracting(JournalEntry::epoch).containsExactly(1L, 1L, 2L, 2L);
        assertThat(sourceSide.getLast().peer()).isEqualTo("127.0.0.1:" + port);
        assertThat(sourceSide.getLast().faultPlanSeed()).isEqualTo("7");
        assertThat(sourceSide.getLast().guest()).contains("wss", "64 MiB");
        // The guest's RAM was a file there, and its frozen state was saved before SWITCH_OVER went out.
        assertThat(Files.size(sourceState.resolve(SourceStateDir.RAM_FILE))).isEqualTo(64L << 20);
        SourceCheckpoint checkpoint = new SourceStateDir(sourceState).read().orElseThrow();
        assertThat(checkpoint.migrationId()).isEqualTo(sourceSide.getFirst().migrationId());
        assertThat(checkpoint.destination()).isEqualTo("127.0.0.1:" + port);
        assertThat(checkpoint.restarts()).isZero();
        // The state file was laid out for this guest before the migration, so the switch-over's save wrote in place.
        assertThat(Files.size(sourceState.resolve(SourceStateDir.STATE_FILE)))
                .isEqualTo(2 * SourceStateDir.slotBytesFor((64L << 20) / 4096));
        // The destination journaled COMPLETED before it sent COMPLETE, so it is there now.
        List<JournalEntry> destinationSide = read(JournalFiles.of(destinationState, Owner.DESTINATION));
        assertThat(destinationSide).extracting(JournalEntry::phase).containsExactly(Phase.SOURCE_OWNS,
                Phase.DESTINATION_OWNS, Phase.COMPLETED);
        assertThat(destinationSide).extracting(JournalEntry::migrationId).containsOnly(sourceSide.getFirst().migrationId());

        Path json = dir.resolve("status.json");
        ProcessResult status = statusInAnotherProcess(destinationState, json);
        assertThat(daemon.exit()).as("the daemon still runs").isNotDone();
        assertThat(status.exit()).as("vmm status; output: %s", status.output()).isZero();
        assertThat(status.output()).contains("destination", sourceSide.getFirst().migrationId().toString().substring(0, 8),
                "completed");
        JsonNode migrations = ReportJson.parse(Files.readString(json)).get("migrations");
        assertThat(migrations.size()).isEqualTo(1);
        assertThat(migrations.get(0).get("phase").asString()).isEqualTo("completed");
        assertThat(migrations.get(0).get("owner").asString()).isEqualTo("destination");
        assertThat(migrations.get(0).get("epoch").asLong()).isEqualTo(2);
        assertThat(migrations.get(0).get("transitions").toString())
                .isEqualTo("[\"source-owns\",\"destination-owns\",\"completed\"]");
    }

    @Test
    void aMigrationThatFailsBeforeTheSwitchOverIsJournaledAsFailedWithTheSourceOwningTheGuest() throws Exception {
        Path state = dir.resolve("state"); // one directory for both sides: each has its own file
        RunningVmm daemon = start("daemon", "--no-warm-up", "--quiet", "--once", "--listen", "127.0.0.1:0",
                "--secret-file", secret.toString(), "--state-dir", state.toString());
        int port = awaitPort(daemon);
        RunningVmm source = start("migrate", "--no-warm-up", "--quiet", "--migrate-to", "127.0.0.1:" + port,
                "--secret-file", secret.toString(), "--mode", "precopy", "--memory", "64M", "--workload", "wss",
                "--arg", "wss=16M", "--arg", "passes=400", "--faults", "close bulk at precopy 5%",
                // The fault fires as the link carries the round's 5th per cent; unshaped, a loopback socket takes
                // a whole round of a small guest at once and the switch-over can go out before the close is seen.
                // 5 %, not 30 %: page 819 of 16,384 lies in the working set (pages 299 to 4,394), so more than
                // 10 MiB of the round is still to come, more than the 4 MiB the session may write ahead of the
                // link. At 30 % the rest of the round was zero pages, a few kilobytes: a guest that had ended
                // by then left nothing dirty, and its SWITCH_OVER was written before the close was seen.
                "--bandwidth", "100mbit", "--state-dir", state.toString());
        assertThat(source.awaitExit(90)).as("migrate; stderr: %s", source.err()).isEqualTo(1);
        assertThat(daemon.awaitExit(60)).isEqualTo(1);

        assertThat(read(JournalFiles.of(state, Owner.SOURCE))).extracting(JournalEntry::phase, JournalEntry::owner,
                JournalEntry::epoch).containsExactly(org.assertj.core.groups.Tuple.tuple(Phase.SOURCE_OWNS, Owner.SOURCE, 1L),
                org.assertj.core.groups.Tuple.tuple(Phase.FAILED, Owner.SOURCE, 1L));
        assertThat(read(JournalFiles.of(state, Owner.DESTINATION))).extracting(JournalEntry::phase, JournalEntry::owner)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Phase.SOURCE_OWNS, Owner.SOURCE),
                        org.assertj.core.groups.Tuple.tuple(Phase.FAILED, Owner.SOURCE));
    }

    /** The switch-over waits for its record: when it cannot be made durable, the source keeps its guest. */
    @Test
    void aSwitchOverThatCannotBeJournaledDoesNotHappen() throws Exception {
        RunningVmm daemon = start("daemon", "--no-warm-up", "--quiet", "--once", "--listen", "127.0.0.1:0",
                "--secret-file", secret.toString());
        int port = awaitPort(daemon);
        List<Phase> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();
        OwnershipJournal failingAtSwitchOver = (id, phase, owner) -> {
            if (phase == Phase.SWITCH_OVER_SENT) {
                throw new IllegalStateException("the journal could not be forced to disk: test");
            }
            recorded.add(phase);
        };
        TransportConfig transport = Transports.config(secret, null, null, 0, 0);
        MachineConfig config = MachineConfig.of(64L << 20, new BootArgs("wss", Map.of("wss", "4M", "passes", "400"), 1));
        GuestImage kernel = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
        SourceOutcome outcome;
        try (MigrationClient client = Transports.client(transport)) {
            outcome = OutgoingMigration.run(new OutgoingMigration.Request(BalloonedMachines.factory(), config, kernel,
                    new StartTrigger.AtProgress(2000), MigrationConfig.defaults(MigrationMode.POSTCOPY), client,
                    new java.net.InetSocketAddress("127.0.0.1", port), transport.replyTimeoutMillis()),
                    new OutgoingMigration.Observer() { }, failingAtSwitchOver);
        }

        assertThat(outcome).isInstanceOfSatisfying(SourceOutcome.Failed.class, failed -> {
            assertThat(failed.report().error()).contains("could not be forced to disk");
            assertThat(failed.ranOnHere()).as("the guest ran on at the source").isPresent();
        });
        assertThat(recorded).containsExactly(Phase.SOURCE_OWNS, Phase.FAILED);
        assertThat(daemon.awaitExit(60)).as("the destination never ran the guest").isEqualTo(1);
    }

    @Test
    void withoutAStateDirectoryNothingIsWritten() throws Exception {
        RunningVmm daemon = start("daemon", "--no-warm-up", "--quiet", "--once", "--listen", "127.0.0.1:0",
                "--secret-file", secret.toString());
        int port = awaitPort(daemon);
        RunningVmm source = start("migrate", "--no-warm-up", "--quiet", "--migrate-to", "127.0.0.1:" + port,
                "--secret-file", secret.toString(), "--mode", "postcopy", "--memory", "64M", "--workload", "wss",
                "--arg", "wss=4M", "--arg", "passes=2000", "--after-progress", "2000");
        // 4 (the guest ended before the switch-over) is a completed migration too: not what this test is about.
        assertThat(source.awaitExit(90)).as("migrate; stderr: %s", source.err()).isIn(0, 4);
        assertThat(daemon.awaitExit(60)).isZero();

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret");
        }
    }

    private static int awaitPort(RunningVmm daemon) throws Exception {
        CompletableFuture.anyOf(daemon.out().firstLine, daemon.exit()).get(30, TimeUnit.SECONDS);
        String first = daemon.out().firstLine.getNow(null);
        Matcher m = LISTENING.matcher(String.valueOf(first));
        assertThat(m.matches()).as("first line %s; stderr: %s", first, daemon.err()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static List<JournalEntry> read(Path file) {
        try (ChronicleJournalStore store = ChronicleJournalStore.openForReading(file)) {
            return store.entries();
        }
    }

    private record ProcessResult(int exit, String output) {
    }

    private static ProcessResult statusInAnotherProcess(Path stateDir, Path json) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VmmCommand.class.getName(), "status",
                "--state-dir", stateDir.toString(), "--json", json.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes(); // until the process closes it
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
