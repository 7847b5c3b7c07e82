package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.migrationlab.guest.reference.WssReference;
import org.migrationlab.migration.testing.JsonObjects;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.testing.RawPeer;
import org.migrationlab.migration.testing.ReportKeys;
import org.migrationlab.migration.testing.SourceStreams;
import org.migrationlab.vmm.render.HumanUnits;
import org.migrationlab.vmm.testing.CapturedRun;
import org.migrationlab.vmm.testing.RunningVmm;

import picocli.CommandLine;

/**
 * {@code vmm daemon} and {@code vmm migrate} in this JVM, each through picocli on its own thread, over a
 * real loopback socket: the guest moves, ends at the destination with the reference result, and both
 * JSON reports say so. Every wait is bounded.
 */
@Timeout(120)
class DaemonMigrateTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+)");
    /** Long enough (about a second) that the guest still runs when the migration switches over. */
    private static final String PASSES = "2000";
    private static final Map<String, String> GUEST_ARGS = Map.of("wss", "4M", "passes", PASSES);
    /** Failed migrations leave the guest at the source, which then runs it to its end: keep it short. */
    private static final String SHORT_PASSES = "400";

    /** A self-signed P-256 test certificate (valid 2000-2109) and its PKCS#8 key; nothing secret. */
    private static final String CERT_A = """
            -----BEGIN CERTIFICATE-----
            MIIBbTCCAROgAwIBAgIIb75a3LADJOMwCgYIKoZIzj0EAwIwKjEoMCYGA1UEAxMf
            bWlncmF0aW9ubGFiIHRlc3QgZGVzdGluYXRpb24gYTAgFw0wMDAxMDExNjI0NDda
            GA8yMTA5MDcwODE2MjQ0N1owKjEoMCYGA1UEAxMfbWlncmF0aW9ubGFiIHRlc3Qg
            ZGVzdGluYXRpb24gYTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDEJz3YBYl+2
            ois+Wp5sHPDC0T1fmPNdPE2rd+2V2R86dAEFIpCXU6tmhTNXaZEU4g7uNXUvtvDs
            lbwpfHtlqSijITAfMB0GA1UdDgQWBBRvqmh1a/lydevOhvqAbr4O1rDWMjAKBggq
            hkjOPQQDAgNIADBFAiAqcbHzVOEF8J7+oD9zPoBE0UM9tPxRbQh5/v5CxKhIIgIh
            AO+LkFFuZz4TaaeRS5JdPxBMB1hh7xHoo2WxWoud4PEu
            -----END CERTIFICATE-----
            """;
    private static final String KEY_A = """
            -----BEGIN PRIVATE KEY-----
            MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCAXeXIiUqlPvPpeYXs3
            g/vz4Pm1/v5QZ+bcINS3lmrwmw==
            -----END PRIVATE KEY-----
            """;
    /** Another destination's certificate: a source that pins it must refuse destination A. */
    private static final String CERT_B = """
            -----BEGIN CERTIFICATE-----
            MIIBbjCCARSgAwIBAgIJAJDD1cCOO7ZMMAoGCCqGSM49BAMCMCoxKDAmBgNVBAMT
            H21pZ3JhdGlvbmxhYiB0ZXN0IGRlc3RpbmF0aW9uIGIwIBcNMDAwMTAxMTYyNDUw
            WhgPMjEwOTA3MDgxNjI0NTBaMCoxKDAmBgNVBAMTH21pZ3JhdGlvbmxhYiB0ZXN0
            IGRlc3RpbmF0aW9uIGIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQlYd4Ty4lv
            Vg6UGKN0YnyZUrGSZ6gOJNyvAI7o+yxw8A+5qa/+Yvc1T3rC02KCFdjqQhpiuHIy
            LBkDh9UDbwJ1oyEwHzAdBgNVHQ4EFgQUoYaVLCIVcnnJQsyvvSh9lEWwDjkwCgYI
            KoZIzj0EAwIDSAAwRQIgP0AL4xrlp4ZpOEOgZNcBhlFyi0xMMGs7BlKE0oskiDoC
            IQC6OZ/tQLf3gALIRxb/lftinxfdVes0ER4uy9gTCAP33A==
            -----END CERTIFICATE-----
            """;

    @TempDir
    Path dir;

    private Path secret;
    private ExecutorService threads;

    @BeforeEach
    void setUp() throws IOException {
        secret = Files.writeString(dir.resolve("secret"), "daemon-migrate-test-secret-0123456789\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        threads = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("command threads ended").isTrue();
    }

    private RunningVmm start(String... args) {
        return RunningVmm.start(threads, args);
    }

    private int startDaemon(Path json, String... more) throws Exception {
        return startDaemon(true, json, more);
    }

    private int startDaemon(boolean once, Path json, String... more) throws Exception {
        String[] base = {"daemon", "--no-warm-up", "--listen", "127.0.0.1:0", once ? "--once" : "--quiet", "--json",
            json.toString(), "--secret-file", secret.toString()};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(more))
                .toArray(String[]::new);
        daemon = start(args);
        CompletableFuture.anyOf(daemon.out().firstLine, daemon.exit()).get(30, TimeUnit.SECONDS);
        String first = daemon.out().firstLine.getNow(null);
        Matcher m = LISTENING.matcher(String.valueOf(first));
        assertThat(m.matches()).as("first line %s; stderr: %s", first, daemon.err()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private RunningVmm daemon;

    @ParameterizedTest
    @ValueSource(strings = {"postcopy", "precopy", "hybrid", "stop-and-copy"})
    void guestMovesToTheDaemonAndEndsWithTheReferenceResult(String mode) throws Exception {
        Path destinationJson = dir.resolve("destination.json");
        Path migrationJson = dir.resolve("migration.json");
        int port = startDaemon(destinationJson, "--quiet");

        RunningVmm source = start("migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:" + port, "--secret-file", secret.toString(),
                "--mode", mode, "--memory", "64M", "--workload", "wss", "--arg", "wss=4M", "--arg", "passes=" + PASSES,
                "--after-progress", "2000", "--hold-at", holdPoint(GUEST_ARGS), "--json", migrationJson.toString());

        int sourceExit = source.awaitExit(60);
        assertThat(sourceExit).as("migrate exit; stdout: %s; stderr: %s", source.out(), source.err()).isZero();
        int daemonExit = daemon.awaitExit(60);
        assertThat(daemonExit).as("daemon exit; stdout: %s; stderr: %s", daemon.out(), daemon.err()).isZero();

        Map<String, Object> migration = JsonObjects.parse(Files.readString(migrationJson));
        assertThat(migration).containsEntry("status", "completed").containsEntry("mode", mode)
                .containsEntry("remaining", 0L).containsEntry("guest-pages", 16_384L).doesNotContainKey("error-desc");
        assertThat(JsonObjects.keys(migration)).as("migration keys in order").isEqualTo(ReportKeys.MIGRATION);
        assertThat(JsonObjects.keys(migration.get("network-faults"))).isEqualTo(ReportKeys.NETWORK_FAULTS);
        assertThat(JsonObjects.keys(migration.get("fault-latency-us"))).isEqualTo(ReportKeys.FAULT_LATENCY);
        assertThat(JsonObjects.keys(migration.get("progress-rate"))).isEqualTo(ReportKeys.PROGRESS_RATE);
        assertThat(JsonObjects.keys(migration.get("balloon"))).isEqualTo(ReportKeys.BALLOON);
        assertThat(migration).containsEntry("oracle", "not-checked");
        if (mode.equals("stop-and-copy")) {
            assertThat(migration).containsEntry("switch-reason", "stop-and-copy: no live round")
                    .containsEntry("stop-policy", "n/a").containsEntry("prepage", "n/a")
                    .containsEntry("dirty-sync-count", 0L).containsEntry("precopy-rounds", java.util.List.of());
            assertThat(source.out().toString()).contains("mode               stop-and-copy\n");
        }
        Map<String, Object> destination = JsonObjects.parse(Files.readString(destinationJson));
        long expected = WssReference.result(1, GUEST_ARGS);
        assertThat(JsonObjects.keys(destination)).as("destination keys in order").isEqualTo(ReportKeys.DESTINATION);
        assertThat(JsonObjects.keys(destination.get("fault-latency-us"))).isEqualTo(ReportKeys.FAULT_LATENCY);
        assertThat(JsonObjects.keys(destination.get("balloon"))).isEqualTo(ReportKeys.BALLOON);
        assertThat((String) destination.get("memory-hash")).matches("[0-9a-f]{16}");
        assertThat(destination).containsEntry("result-decimal", Long.toUnsignedString(expected));
        assertThat(destination).containsEntry("outcome", "halted").containsEntry("status", 0L)
                .containsEntry("result", HumanUnits.hex64(expected)).containsEntry("workload", "wss")
                .containsKeys("memory-hash", "network-faults", "minor-faults", "fault-latency-us",
                        "progress-rate-during", "progress-rate-after");
        assertThat((String) destination.get("console")).contains("wss: done passes " + PASSES);

        assertThat(source.out().toString()).contains("status             completed", "pages-by-kind", "network-faults",
                "fault-latency", "progress-rate");
        // The console echoed here shows the guest's start but not its end: it ended at the destination.
        assertThat(source.out().toString()).contains("wss: start").doesNotContain("wss: done");
        assertThat(source.err().toString()).contains("vmm migrate: migrating to 127.0.0.1:" + port + " at progress ");
        assertThat(daemon.out().toString()).contains("migration ", ": incoming", ": arrived after ", ": faults: ",
                ": ended: halted, status 0, result " + HumanUnits.hex64(expected));
        assertThat(((Number) destination.get("progress-rate-after")).doubleValue())
                .as("the guest ran on at the destination").isPositive();
        assertThat(daemon.err().toString()).isEmpty();
    }

    /**
     * A bulk connection closed in post-copy: the source reconnects to the same daemon (--once: the reconnection
     * is no second migration), the guest ends there with the reference result, and the report counts the recovery.
     */
    @Test
    void aConnectionClosedInPostcopyIsRecoveredAtTheDaemon() throws Exception {
        Map<String, Object> report = migrateGuest(GUEST_ARGS,
                "--mode", "postcopy", "--after-progress", "2000", "--faults", "close bulk at postcopy 30%");
        assertThat(report).containsEntry("status", "completed").containsEntry("resent-pages", 0L);
        assertThat(number(report, "postcopy-recoveries")).isGreaterThanOrEqualTo(1);
        assertThat(decimal(report.get("recovery-time"))).isPositive();
    }

    /**
     * --retries: the plan closes the bulk connection in pre-copy, the guest stays on the source, and the
     * migration starts again (the fault fired once) and completes at the same daemon.
     */
    @Test
    void aMigrationThatFailedWithTheGuestStillHereIsRetried() throws Exception {
        // Long enough that the guest is still running when the second attempt switches over, after the first
        // attempt's pre-copy and the backoff: under load the default guest had ended by then.
        Map<String, String> guestArgs = Map.of("wss", "4M", "passes", LONG_PASSES);
        int port = startDaemon(false, dir.resolve("destination.json")); // a --once daemon would refuse the retry
        RunningVmm source = start("migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:" + port, "--secret-file",
                secret.toString(), "--memory", "64M", "--workload", "wss", "--arg", "wss=" + guestArgs.get("wss"),
                "--arg", "passes=" + guestArgs.get("passes"), "--after-progress", "2000", "--hold-at",
                holdPoint(guestArgs), "--quiet", "--faults", "close bulk at precopy 30%", "--retries", "1");
        assertThat(source.awaitExit(90)).as("migrate; stderr: %s", source.err()).isZero();
        assertThat(source.err().toString()).contains("vmm migrate: attempt 1 failed with the guest still here",
                "retry 1 of 1 in ").doesNotContain("the migration failed");
        // The oracle: the guest, migrated by the second attempt, ends at the daemon with the reference result.
        daemon.out().written(": ended: halted, status 0, result "
                + HumanUnits.hex64(WssReference.result(1, guestArgs)), 1).get(60, TimeUnit.SECONDS);
    }

    /**
     * --recover-timeout: a post-copy guest whose source goes away for good after the switch-over waits for it
     * that long, then the daemon gives it up (with the default of minutes this test would time out).
     */
    @Test
    void aGuestWhoseSourceNeverReconnectsIsGivenUpAtTheRecoverTimeout() throws Exception {
        int port = startDaemon(dir.resolve("destination.json"), "--recover-timeout", "1s");
        java.util.List<byte[]> frames = SourceStreams.get().postcopyFrames();
        long lostAt;
        try (RawPeer source = RawPeer.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000)) {
            source.handshakeAsSource(java.util.UUID.randomUUID(), MigrationRecord.Channel.BULK,
                    Transports.readSecret(secret));
            for (byte[] frame : frames.subList(0, 4)) { // config, GUEST_STATE, SWITCH_OVER, one pushed batch
                source.sendBytes(frame);
            }
            MigrationRecord record;
            do {
                record = source.receive(); // page requests of the faulting guest, then RESUMED
            } while (!(record instanceof MigrationRecord.Resumed));
            lostAt = System.nanoTime();
        }
        int exit = daemon.awaitExit(30);
        double waited = (System.nanoTime() - lostAt) / 1e9;
        assertThat(daemon.err().toString()).as("daemon stderr").contains("did not reconnect within 1000 ms");
        assertThat(exit).isNotZero();
        assertThat(waited).as("seconds the guest waited for its source").isBetween(0.9, 15.0);
    }

    /**
     * Without --once the daemon takes one migration after another: two guests of different lengths arrive in
     * turn, each ends at the daemon with its own reference result, and the daemon is still serving after both.
     */
    /** ... and with --web, its live view shows the latest one's map, every page there. */
    @Test
    void aDaemonWithoutOnceServesTwoMigrationsInARow() throws Exception {
        Path destinationJson = dir.resolve("destination.json");
        int port = startDaemon(false, destinationJson, "--web", "0");
        daemon.out().written("live view at ", 1).get(10, TimeUnit.SECONDS);
        Matcher view = java.util.regex.Pattern.compile("(?m)^live view at (http://127\\.0\\.0\\.1:[0-9]+/)$")
                .matcher(daemon.out().toString());
        assertThat(view.find()).as("the view's line; stdout: %s", daemon.out()).isTrue();
        assertThat(daemon.out().toString().lines().toList().get(1)).as("right after the 'listening on' line")
                .startsWith("live view at ");
        java.util.List<String> endings = new java.util.ArrayList<>();
        for (int turn = 1; turn <= 2; turn++) {
            String passes = Integer.toString(Integer.parseInt(PASSES) + 100 * turn);
            // Post-copy switches over right after the handshake, long before this guest's end (as in the
            // single migrations above, of as long a guest).
            RunningVmm source = start("migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:" + port, "--secret-file", secret.toString(),
                    "--mode", "postcopy", "--memory", "64M", "--workload", "wss", "--arg", "wss=4M", "--arg",
                    "passes=" + passes, "--after-progress", "2000", "--hold-at",
                    holdPoint(Map.of("wss", "4M", "passes", passes)), "--quiet");
            // Exit code 0, not 4: the guest was still running when it moved.
            assertThat(source.awaitExit(60)).as("migrate %d; stderr: %s", turn, source.err())
                    .isZero();
            String ending = ": ended: halted, status 0, result "
                    + HumanUnits.hex64(WssReference.result(1, Map.of("wss", "4M", "passes", passes)));
            daemon.out().written(ending, 1).get(60, TimeUnit.SECONDS);
            endings.add(ending);
        }
        assertThat(daemon.out().toString()).as("each guest ended once, with its own result")
                .containsOnlyOnce(endings.get(0)).containsOnlyOnce(endings.get(1));
        assertThat(daemon.exit().isDone()).as("the daemon serves on; stderr: %s", daemon.err()).isFalse();
        assertThat(daemon.err().toString()).isEmpty();
        String tick = firstTickWhere(view.group(1), "\"not-received\":0,");
        assertThat(tick).contains("\"phase\":\"every page here\"", "\"latency\":{\"count\":");
    }

    /** The first tick of the live view at {@code url} that contains {@code text}; its hello must be a destination's. */
    private static String firstTickWhere(String url, String text) throws Exception {
        java.util.concurrent.BlockingQueue<String> texts = new java.util.concurrent.LinkedBlockingQueue<>();
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            java.net.http.WebSocket socket = http.newWebSocketBuilder().buildAsync(java.net.URI.create(
                    url.replace("http:", "ws:") + "live"), new java.net.http.WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws,
                                                                             CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                texts.add(partial.toString());
                                partial.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            try {
                String hello = texts.poll(10, TimeUnit.SECONDS);
                assertThat(hello).as("hello").contains("\"role\":\"destination\"");
                for (int i = 0; i < 100; i++) {
                    String next = texts.poll(10, TimeUnit.SECONDS);
                    assertThat(next).as("a tick within 10 s").isNotNull();
                    if (next.contains(text)) {
                        return next;
                    }
                }
                throw new AssertionError("no tick with " + text + " in 100");
            } finally {
                socket.abort();
            }
        }
    }

    /**
     * A guest that dirties its pages through several pre-copy rounds over a slow link (~5 s on a fast 2-core
     * machine); the source holds it at 90 % of its run until the switch-over, so that it is migrated live
     * however the rounds go.
     */
    private static final String LONG_PASSES = "8000";
    private static final Map<String, String> LONG_GUEST = Map.of("wss", "4M", "passes", LONG_PASSES);

    /**
     * Where the source holds a wss guest (--hold-at): at 90 % of its progress units, one per page of its working
     * set and pass.
     */
    private static String holdPoint(Map<String, String> wss) {
        WssReference.Config guest = WssReference.Config.fromArgs(wss); // read as the guest reads them
        return Long.toString(guest.wssBytes() / 4096 * guest.passes() * 9 / 10);
    }

    /** Migrates the long guest with {@code flags} to a --once daemon; returns the migration's JSON report. */
    private Map<String, Object> migrateLongGuest(String... flags) throws Exception {
        return migrateGuest(LONG_GUEST, flags);
    }

    /** Migrates a wss guest with {@code flags} to a --once daemon; returns the migration's JSON report. */
    private Map<String, Object> migrateGuest(Map<String, String> guest, String... flags) throws Exception {
        Path destinationJson = dir.resolve("destination.json");
        Path migrationJson = dir.resolve("migration.json");
        int port = startDaemon(destinationJson, "--quiet");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("migrate", "--no-warm-up", "--migrate-to",
                "127.0.0.1:" + port, "--secret-file", secret.toString(), "--memory", "64M", "--workload", "wss",
                "--arg", "wss=" + guest.get("wss"), "--arg", "passes=" + guest.get("passes"), "--hold-at",
                holdPoint(guest), "--json", migrationJson.toString(), "--quiet"));
        args.addAll(java.util.List.of(flags));
        RunningVmm source = start(args.toArray(String[]::new));
        assertThat(source.awaitExit(90)).as("migrate %s (0: a live guest moved); stderr: %s",
                args, source.err()).isZero();
        assertThat(daemon.awaitExit(90)).as("daemon; stderr: %s", daemon.err()).isZero();
        Map<String, Object> destination = JsonObjects.parse(Files.readString(destinationJson));
        assertThat(destination).as("the oracle: the guest's result at the destination")
                .containsEntry("result-decimal", Long.toUnsignedString(WssReference.result(1, guest)));
        return JsonObjects.parse(Files.readString(migrationJson));
    }

    private static long number(Map<String, Object> report, String key) {
        return ((Number) report.get(key)).longValue();
    }

    private static double decimal(Object value) {
        return ((Number) value).doubleValue();
    }

    /**
     * --compress, --dirty-log write-protect, --stop-policy with --max-rounds and --bandwidth, each with its
     * own mark on the report: deflated page data, write faults of dirty logging, the Xen policy's reasons,
     * and a migration no faster than its bytes at that rate.
     */
    @Test
    void precopyFlagsEachLeaveTheirMarkOnTheReport() throws Exception {
        Map<String, Object> report = migrateLongGuest("--mode", "precopy", "--after-progress", "2000", "--compress",
                "--dirty-log", "write-protect", "--stop-policy", "xen", "--max-rounds", "3", "--bandwidth", "40mbit");
        assertThat(report).containsEntry("status", "completed").containsEntry("stop-policy", "xen");
        assertThat((String) report.get("switch-reason")).as("the Xen policy's own reasons")
                .matches("(converged: .*|sent cap: .*|round cap: 2 live rounds done.*)");
        assertThat(number(report, "dirty-log-faults")).as("write-protect dirty logging faults").isPositive();
        // The working set's pages fill with random words as the guest runs and then go out raw; how many rounds
        // copy them before that depends on the machine's speed. The kernel's code and page tables deflate
        // whatever the guest has done, so with --compress at least a page's worth is saved; without it (the
        // defaults' test) the data is exactly a page per page.
        long wholePages = number(report, "normal") * 4096;
        assertThat(number(report, "normal-bytes")).as("deflated page data: less than %d whole pages", wholePages / 4096)
                .isLessThanOrEqualTo(wholePages - 4096);
        double floorMs = number(report, "transferred") * 8.0 / 40e6 * 1000;
        assertThat(decimal(report.get("total-time"))).as("total time against the bytes' time at 40 Mbit/s")
                .isGreaterThan(floorMs * 0.9);
    }

    /**
     * The defaults leave their mark too (dirty-bit logging faults nothing, pages go out whole), and the
     * downtime policy compares with the --downtime-target given (here with a time trigger, --after).
     */
    @Test
    void precopyDefaultsAndTheDowntimeTargetShowInTheReport() throws Exception {
        // A 7 ms target over an unlimited link may take every round up to the cap (29 rounds of at most the
        // 1024 pages of the working set, a few seconds on a loaded machine), and a time trigger cannot wait for
        // the guest to have started: the long guest runs several times that, and exit code 0 says it still ran.
        Map<String, Object> report = migrateLongGuest("--mode", "precopy", "--after", "300ms", "--downtime-target",
                "7ms");
        assertThat(report).containsEntry("status", "completed").containsEntry("stop-policy", "downtime");
        assertThat((String) report.get("switch-reason")).as("the target the policy compared with")
                .contains("target 7.00 ms");
        assertThat(number(report, "dirty-log-faults")).as("dirty-bit logging costs no faults").isZero();
        assertThat(number(report, "normal-bytes")).as("pages not deflated").isEqualTo(number(report, "normal") * 4096);
    }

    /** --latency on the source delays each page request it receives: every demand fault waits at least that. */
    @Test
    void latencySetsAFloorUnderEveryDemandFault() throws Exception {
        // A small working set: some tens of demand faults, not thousands. 320,000 passes, ten times what it had:
        // with 32,000 a fast machine sometimes finished the guest before the switch-over (nothing live migrated).
        Map<String, Object> report = migrateGuest(Map.of("wss", "256K", "passes", "320000"), "--mode", "postcopy",
                "--after-progress", "2000", "--prepage", "none", "--latency", "10ms");
        assertThat(report).containsEntry("status", "completed").containsEntry("prepage", "none");
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) report.get("fault-latency-us");
        assertThat(decimal(latency.get("p50"))).as("median demand fault against the 10 ms one way")
                .isGreaterThanOrEqualTo(10_000);
    }

    /**
     * --no-urgent-channel: the source opens its bulk connection only (a fake destination counts them). After
     * its first pass the guest has written a word in each of its 6,144 pages, so round 0 is 24 MiB of page
     * data, more than the socket buffers take: the source cannot have sent its SWITCH_OVER when the fake hangs
     * up (with a 4 MiB set it sometimes had, and then rightly waited for the operator's fence).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void noUrgentChannelOpensOneConnection(boolean noUrgent) throws Exception {
        java.util.List<String> log;
        try (org.migrationlab.migration.testing.FakeDestination destination =
                     new org.migrationlab.migration.testing.FakeDestination(
                             org.migrationlab.migration.testing.FakeDestination.Behaviour.CLOSE_AFTER_PAGES,
                             Transports.readSecret(secret), org.migrationlab.migration.protocol.MigrationRecord.Hello
                             .CURRENT_VERSION, 7)) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("migrate", "--no-warm-up", "--migrate-to",
                    "127.0.0.1:" + destination.address().getPort(), "--secret-file", secret.toString(), "--mode",
                    "precopy", "--memory", "64M", "--workload", "wss", "--arg", "wss=24M", "--arg", "write-ratio=1",
                    "--arg", "passes=20", "--after-progress", "6144", "--quiet"));
            if (noUrgent) {
                args.add("--no-urgent-channel");
            }
            CapturedRun source = CapturedRun.vmm(args.toArray(String[]::new));
            assertThat(source.exitCode()).as("the fake destination hung up; stderr: %s", source.err())
                    .isEqualTo(ExitCode.MIGRATION_FAILED.code());
            destination.close(); // waits for its connections' threads: the log is complete
            log = destination.log();
        }
        assertThat(log).as("connections the source opened").contains("handshake done on the BULK connection");
        if (noUrgent) {
            assertThat(log).doesNotContain("handshake done on the URGENT connection");
        } else {
            assertThat(log).contains("handshake done on the URGENT connection");
        }
    }

    @Test
    void selfBallooningGuestMovesWithoutItsBalloonedPages() throws Exception {
        Path destinationJson = dir.resolve("destination.json");
        Path migrationJson = dir.resolve("migration.json");
        int port = startDaemon(destinationJson, "--quiet");

        RunningVmm source = start("migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:" + port, "--secret-file", secret.toString(),
                "--mode", "postcopy", "--memory", "64M", "--workload", "wss", "--arg", "wss=4M", "--arg", "passes=" + PASSES,
                "--dsb", "on", "--dsb-interval", "100us", "--after-progress", "20000", "--json", migrationJson.toString());

        assertThat(source.awaitExit(60)).as("migrate; stderr: %s", source.err()).isZero();
        assertThat(daemon.awaitExit(60)).as("daemon; stderr: %s", daemon.err()).isZero();
        Map<String, Object> migration = JsonObjects.parse(Files.readString(migrationJson));
        @SuppressWarnings("unchecked")
        Map<String, Object> balloon = (Map<String, Object>) migration.get("balloon");
        long ballooned = (Long) balloon.get("size-pages");
        assertThat(balloon).containsEntry("dsb", "on").containsEntry("saved-pages", ballooned);
        assertThat(ballooned).as("a 64M guest using 4M balloons most of its pages").isGreaterThan(10_000);
        assertThat((Long) migration.get("duplicate") + (Long) migration.get("normal")).as("pages sent")
                .isEqualTo(16_384L - ballooned);
        Map<String, Object> destination = JsonObjects.parse(Files.readString(destinationJson));
        assertThat(destination).containsEntry("status", 0L)
                .containsEntry("result", HumanUnits.hex64(WssReference.result(1, GUEST_ARGS)));
        assertThat(destination.get("balloon")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("dsb", "on");
        assertThat(source.out().toString()).containsPattern("balloon +[0-9,]+ pages \\([0-9.]+ MiB\\) at the switch-over");
    }

    @Test
    void wrongSecretFailsTheMigrationAndTheGuestFinishesAtTheSource() throws Exception {
        Path destinationJson = dir.resolve("destination.json");
        Path migrationJson = dir.resolve("migration.json");
        int port = startDaemon(destinationJson);
        Path other = Files.writeString(dir.resolve("other"), "not-the-daemon's-secret-0123456789\n");

        CapturedRun source = CapturedRun.vmm("migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:" + port, "--secret-file",
                other.toString(), "--mode", "postcopy", "--memory", "64M", "--workload", "wss", "--arg", "wss=4M",
                "--arg", "passes=" + SHORT_PASSES, "--after-progress", "2000", "--json", migrationJson.toString(),
                "--quiet");

        assertThat(source.exitCode()).as("stderr: %s", source.err()).isEqualTo(ExitCode.MIGRATION_FAILED.code());
        Map<String, Object> migration = JsonObjects.parse(Files.readString(migrationJson));
        assertThat(migration).containsEntry("status", "failed");
        assertThat(JsonObjects.keys(migration)).as("keys in order").isEqualTo(ReportKeys.FAILED_MIGRATION);
        assertThat((String) migration.get("error-desc")).contains("keeps running on the source");
        long expected = WssReference.result(1, Map.of("wss", "4M", "passes", SHORT_PASSES));
        assertThat(source.out()).contains("status             failed", "error-desc",
                "result           " + HumanUnits.hex64(expected)); // the guest ran on at the source
        assertThat(source.err()).contains("vmm migrate: the migration failed: ",
                "vmm migrate: the guest ran on here and ended: halted, status 0, result " + HumanUnits.hex64(expected));
        // The daemon saw no authenticated migration and is still waiting.
        assertThat(daemon.exit().isDone()).isFalse();
        assertThat(destinationJson).doesNotExist();
    }

    @Test
    void tlsWithThePinnedCertificateMigrates() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), CERT_A);
        Path key = Files.writeString(dir.resolve("key.pem"), KEY_A);
        Path destinationJson = dir.resolve("destination.json");
        int port = startDaemon(destinationJson, "--quiet", "--tls-cert", cert.toString(), "--tls-key", key.toString());

        CapturedRun source = CapturedRun.vmm("migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:" + port, "--secret-file",
                secret.toString(), "--tls-cert", cert.toString(), "--mode", "postcopy", "--memory", "64M",
                "--workload", "wss", "--arg", "wss=4M", "--arg", "passes=" + PASSES, "--after-progress", "2000",
                "--quiet");

        assertThat(source.exitCode()).as("stdout: %s; stderr: %s", source.out(), source.err()).isZero();
        assertThat(daemon.awaitExit(60)).as("daemon stderr: %s", daemon.err()).isZero();
        assertThat(JsonObjects.parse(Files.readString(destinationJson)))
                .containsEntry("result", HumanUnits.hex64(WssReference.result(1, GUEST_ARGS)));
    }

    @Test
    void tlsWithAnotherCertificateIsRefusedAndTheGuestStaysAtTheSource() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), CERT_A);
        Path key = Files.writeString(dir.resolve("key.pem"), KEY_A);
        Path other = Files.writeString(dir.resolve("other.pem"), CERT_B);
        int port = startDaemon(dir.resolve("destination.json"), "--tls-cert", cert.toString(), "--tls-key",
                key.toString());

        CapturedRun source = CapturedRun.vmm("migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:" + port, "--secret-file",
                secret.toString(), "--tls-cert", other.toString(), "--mode", "postcopy", "--memory", "64M",
                "--workload", "wss", "--arg", "wss=4M", "--arg", "passes=" + SHORT_PASSES, "--after-progress", "2000",
                "--quiet");

        assertThat(source.exitCode()).as("stderr: %s", source.err()).isEqualTo(ExitCode.MIGRATION_FAILED.code());
        assertThat(source.err()).contains("the guest ran on here and ended: halted, status 0");
        assertThat(daemon.exit().isDone()).isFalse();
    }
}
