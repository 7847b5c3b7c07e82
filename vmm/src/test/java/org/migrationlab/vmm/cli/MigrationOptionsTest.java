package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.vmm.testing.CapturedRun;

import picocli.CommandLine;

/**
 * The options of migrate, daemon and demo: durations, bandwidths, addresses and policy names parse or
 * fail with one line and exit code 2, before any guest boots or any connection opens.
 */
class MigrationOptionsTest {
    @TempDir
    Path dir;

    private Path secret;

    @BeforeEach
    void writeSecret() throws IOException {
        // A secret no warning is about: not a repeated pattern, readable by its owner alone.
        secret = Files.writeString(dir.resolve("secret"), "migration-options-test-secret-0123456789\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @ParameterizedTest
    @CsvSource({"100us, 100000", "100µs, 100000", "2ms, 2000000", "1s, 1000000000", "1.5s, 1500000000",
        "300ms, 300000000", "250ns, 250", "2m, 120000000000", "1h, 3600000000000", "0, 0", "0ms, 0",
        "' 10MS ', 10000000"})
    void durationsParseToNanoseconds(String text, long nanos) {
        assertThat(DurationConverter.parse(text)).isEqualTo(nanos);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ms", "5", "1.5", "-1s", "1 fortnight", "1e3ms", "0.1ns", "99999999999h"})
    void badDurationsAreRejectedReadably(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text)).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void durationsFormatBackToTheirShortestSpelling() {
        assertThat(DurationConverter.format(100_000)).isEqualTo("100us");
        assertThat(DurationConverter.format(2_000_000_000)).isEqualTo("2s");
        assertThat(DurationConverter.format(1_500_000)).isEqualTo("1500us");
        assertThat(DurationConverter.format(7)).isEqualTo("7ns");
        assertThat(DurationConverter.format(0)).isEqualTo("0");
    }

    @ParameterizedTest
    @CsvSource({"1gbit, 1000000000", "100mbit, 100000000", "125MB/s, 1000000000", "0, 0", "10kbit, 10000",
        "1Gbit/s, 1000000000", "1Gb/s, 1000000000", "100Mbps, 100000000", "1MiB/s, 8388608", "2.5gbit, 2500000000",
        "1B/s, 8", "64bit, 64", "1tbit, 1000000000000"})
    void bandwidthsParseToBitsPerSecond(String text, long bits) {
        assertThat(BandwidthConverter.parse(text)).isEqualTo(bits);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "fast", "100", "1g", "125MB", "1ibit", "-1gbit", "0.1bit", "1xbit"})
    void badBandwidthsAreRejectedReadably(String text) {
        assertThatThrownBy(() -> BandwidthConverter.parse(text)).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void addressesParseWithIpv6InBrackets() {
        InetSocketAddress v4 = HostPortConverter.parse("127.0.0.1:7000");
        assertThat(v4.getPort()).isEqualTo(7000);
        assertThat(HostPortConverter.format(v4)).isEqualTo("127.0.0.1:7000");
        assertThat(HostPortConverter.format(HostPortConverter.parse("[::1]:0"))).isEqualTo("[0:0:0:0:0:0:0:1]:0");
        for (String bad : new String[] {"127.0.0.1", ":7000", "host:port", "127.0.0.1:65536", "::1:7000"}) {
            assertThatThrownBy(() -> HostPortConverter.parse(bad)).as(bad)
                    .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void modesAndDirtyLogModesUseTheCommandLineSpelling() {
        assertThat(new MigrationConverters.Mode().convert("postcopy")).isEqualTo(MigrationMode.POSTCOPY);
        assertThat(new MigrationConverters.Mode().convert("Hybrid")).isEqualTo(MigrationMode.HYBRID);
        assertThat(new MigrationConverters.Mode().convert("stop-and-copy")).isEqualTo(MigrationMode.STOP_AND_COPY);
        for (MigrationMode mode : MigrationMode.values()) {
            assertThat(new MigrationConverters.Mode().convert(MigrationConverters.Mode.name(mode))).isEqualTo(mode);
        }
        assertThat(new MigrationConverters.DirtyLog().convert("write-protect")).isEqualTo(DirtyLogMode.WRITE_PROTECT);
        assertThat(new MigrationConverters.DirtyLog().convert("dirty-bit")).isEqualTo(DirtyLogMode.DIRTY_BIT);
        assertThat(new MigrationConverters.Prepage().convert("multi-pivot")).isEqualTo("multi-pivot");
        assertThat(new MigrationConverters.StopPolicy().convert("auto-converge")).isEqualTo("auto-converge");
    }

    private String[] migrate(String... more) {
        String[] base = {"migrate", "--no-warm-up", "--migrate-to", "127.0.0.1:9", "--secret-file", secret.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static void assertUsageError(CapturedRun run, String expected) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.errLines()).as("stderr").hasSize(1);
        assertThat(run.err()).contains(expected).doesNotContain("Exception", "\tat ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void faultPlansThatCannotRunAreOneLineAndExitCode2() {
        assertUsageError(CapturedRun.vmm(migrate("--faults", "close disk at precopy 30%")),
                "fault plan, item 1 ('close disk at precopy 30%'): expected 'bulk' or 'urgent', found 'disk'");
        assertUsageError(CapturedRun.vmm("demo", "--faults", "silence bulk at noon"), "found 'noon'");
        assertUsageError(CapturedRun.vmm(migrate("--peer-timeout", "1ms")), "--peer-timeout must be at least 30ms");
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--peer-timeout", "1ms"), "--peer-timeout must be at least 30ms");
    }

    /** --recover-timeout reaches the engine's config (migrate) and both children of the demo; 0 is refused. */
    @Test
    void recoverTimeoutReachesTheMigrationConfigAndTheDemosChildren() {
        MigrateCommand migrate = parsed(migrate("--mode", "postcopy", "--recover-timeout", "1500ms"));
        assertThat(migrate.migrationConfig().recoverTimeoutMillis()).isEqualTo(1_500);
        MigrateCommand byDefault = parsed(migrate("--mode", "postcopy"));
        assertThat(byDefault.migrationConfig().recoverTimeoutMillis()).isEqualTo(5 * 60_000);

        CommandLine demoLine = VmmCommand.commandLine();
        DemoCommand demo = (DemoCommand) demoLine.parseArgs("demo", "--recover-timeout", "7s").subcommand()
                .commandSpec().userObject();
        assertThat(String.join(" ", demo.daemonArguments(secret, dir.resolve("d.json")))).contains("--recover-timeout 7s");
        assertThat(String.join(" ", demo.migrateArguments(org.migrationlab.emulator.machine.MachineConfig.of(64L << 20,
                new org.migrationlab.emulator.image.BootArgs("wss", java.util.Map.of(), 1)), java.util.List.of(),
                "127.0.0.1:1", secret, dir.resolve("m.json")))).contains("--recover-timeout 7s");

        // Stop-and-copy has no post-copy phase: its migrate child gets the mode and no prepaging.
        DemoCommand stopAndCopy = (DemoCommand) VmmCommand.commandLine().parseArgs("demo", "--mode", "stop-and-copy")
                .subcommand().commandSpec().userObject();
        String child = String.join(" ", stopAndCopy.migrateArguments(org.migrationlab.emulator.machine.MachineConfig
                .of(64L << 20, new org.migrationlab.emulator.image.BootArgs("wss", java.util.Map.of(), 1)),
                java.util.List.of(), "127.0.0.1:1", secret, dir.resolve("m.json")));
        assertThat(child).contains("--mode stop-and-copy").doesNotContain("--prepage");
        assertThat(parsed(child.split(" ")).migrationConfig().mode())
                .isEqualTo(MigrationMode.STOP_AND_COPY);

        assertUsageError(CapturedRun.vmm(migrate("--recover-timeout", "0")), "--recover-timeout must be at least 1ms");
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--no-warm-up", "--recover-timeout", "0"), "--recover-timeout must be at least 1ms");
    }

    /**
     * The demo's successor for a source killed after the switch-over: 'vmm migrate --recover' on the state
     * directory with the source's secret, link and timeouts, a command line migrate takes; and only a kill
     * announced at the switch-over or in post-copy is handed to it.
     */
    @Test
    void theDemosRecoveringSourceTakesTheSourcesSecretLinkAndTimeouts() {
        DemoCommand demo = (DemoCommand) VmmCommand.commandLine().parseArgs("demo", "--faults",
                "kill source at postcopy 40%", "--bandwidth", "100mbit", "--latency", "1ms", "--recover-timeout",
                "20s", "--state-dir", dir.resolve("state").toString()).subcommand().commandSpec().userObject();
        java.util.List<String> recover = demo.recoverArguments(secret, dir.resolve("r.json"));
        assertThat(String.join(" ", recover)).isEqualTo("migrate --recover " + dir.resolve("state") + " --secret-file "
                + secret + " --bandwidth 100mbit --latency 1ms --peer-timeout 3s --recover-timeout 20s --prepage bubble"
                + " --json " + dir.resolve("r.json") + " --no-warm-up");
        MigrateCommand parsed = parsed(recover.toArray(String[]::new));
        assertThat(parsed.migrationConfig().recoverTimeoutMillis()).isEqualTo(20_000);
        assertThat(String.join(" ", demo.restartArguments(secret, "127.0.0.1:7"))).isEqualTo("daemon --listen"
                + " 127.0.0.1:7 --secret-file " + secret + " --latency 1ms --peer-timeout 3s --recover-timeout 20s"
                + " --no-warm-up --state-dir " + dir.resolve("state"));

        // The policy classes go along (not the stop policy's: pre-copy is over), and --recover takes them.
        DemoCommand withClasses = (DemoCommand) VmmCommand.commandLine().parseArgs("demo", "--faults",
                "kill source at switch-over", "--prepage-class", "com.example.Prepage", "--stop-policy-class",
                "com.example.Stop", "--balloon-policy-class", "com.example.Balloon", "--policy-timeout", "20ms",
                "--state-dir", dir.resolve("state").toString()).subcommand().commandSpec().userObject();
        java.util.List<String> recoverWithClasses = withClasses.recoverArguments(secret, dir.resolve("r.json"));
        assertThat(String.join(" ", recoverWithClasses)).isEqualTo("migrate --recover " + dir.resolve("state")
                + " --secret-file " + secret + " --peer-timeout 3s --recover-timeout 5m --prepage bubble"
                + " --prepage-class com.example.Prepage --balloon-policy-class com.example.Balloon"
                + " --policy-timeout 20ms --json " + dir.resolve("r.json") + " --no-warm-up");
        parsed(recoverWithClasses.toArray(String[]::new));

        // The live view follows the source to its successor, on the same port; step mode does not (nothing to step).
        DemoCommand watched = (DemoCommand) VmmCommand.commandLine().parseArgs("demo", "--faults",
                "kill source at postcopy 40%", "--web", "8123", "--step", "--state-dir",
                dir.resolve("state").toString()).subcommand().commandSpec().userObject();
        java.util.List<String> recoverWatched = watched.recoverArguments(secret, dir.resolve("r.json"));
        assertThat(String.join(" ", recoverWatched)).contains(" --web 8123 ").doesNotContain("--step");
        parsed(recoverWatched.toArray(String[]::new));
        assertUsageError(CapturedRun.vmm("migrate", "--recover", dir.resolve("state").toString(), "--secret-file",
                secret.toString(), "--web", "0", "--step"), "--step: a recovering source has nothing to step");

        assertThat(KillHarness.afterSwitchOver("vmm migrate: fault fired: kill source at postcopy 40% (post-copy,"
                + " 13283 of 32768 pending pages sent)")).isTrue();
        assertThat(KillHarness.afterSwitchOver("vmm migrate: fault fired: kill source at switch-over (post-copy, 0"
                + " of 16384 pending pages sent)")).isTrue();
        assertThat(KillHarness.afterSwitchOver("vmm migrate: fault fired: kill source at precopy 30% (pre-copy"
                + " round 0, 4864 of 16384 pages sent)")).isFalse();
        assertThat(KillHarness.afterSwitchOver("vmm migrate: fault fired: kill source at noon")).isFalse();
    }

    private static MigrateCommand parsed(String... args) {
        return (MigrateCommand) VmmCommand.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void unknownPrepageIsOneLineAndExitCode2() {
        assertUsageError(CapturedRun.vmm(migrate("--mode", "postcopy", "--prepage", "sideways")),
                "unknown prepage strategy 'sideways'; known: none, push, bubble, multi-pivot");
        assertUsageError(CapturedRun.vmm("demo", "--prepage", "sideways"), "unknown prepage strategy 'sideways'");
    }

    @Test
    void unknownModeStopPolicyAndDirtyLogAreOneLineAndExitCode2() {
        assertUsageError(CapturedRun.vmm(migrate("--mode", "teleport")),
                "unknown mode 'teleport'; known: precopy, postcopy, hybrid, stop-and-copy");
        assertUsageError(CapturedRun.vmm(migrate("--stop-policy", "never")),
                "unknown stop policy 'never'; known: xen, downtime, auto-converge");
        assertUsageError(CapturedRun.vmm(migrate("--dirty-log", "pml")),
                "unknown dirty-log mode 'pml'; known: write-protect, dirty-bit");
        assertUsageError(CapturedRun.vmm("demo", "--mode", "teleport"), "unknown mode 'teleport'");
        assertUsageError(CapturedRun.vmm(migrate("--mode", "stop-and-copy", "--web", "0", "--step")),
                "--step: a stop-and-copy migration has nothing to step");
        assertUsageError(CapturedRun.vmm("demo", "--mode", "stop-and-copy", "--web", "0", "--step"),
                "--step: a stop-and-copy migration has nothing to step");
    }

    @Test
    void aGuestSliceIsPositiveAndStepModeDoesNotTakeAHoldPoint() throws Exception {
        assertUsageError(CapturedRun.vmm(migrate("--web", "0", "--step", "--slice", "0")), "--slice must be positive");
        assertUsageError(CapturedRun.vmm(migrate("--web", "0", "--step", "--hold-at", "5000")),
                "--step and --hold-at both park the guest");
        assertUsageError(CapturedRun.vmm("demo", "--web", "0", "--step", "--hold-at", "5000"),
                "--step and --hold-at both park the guest");
        assertUsageError(CapturedRun.vmm("demo", "--slice", "128"), "--slice needs --step");

        DemoCommand stepped = (DemoCommand) VmmCommand.commandLine().parseArgs("demo", "--web", "0", "--step",
                "--slice", "128").subcommand().commandSpec().userObject();
        String child = String.join(" ", stepped.migrateArguments(org.migrationlab.emulator.machine.MachineConfig
                .of(64L << 20, new org.migrationlab.emulator.image.BootArgs("wss", java.util.Map.of(), 1)),
                java.util.List.of(), "127.0.0.1:1", secret, dir.resolve("m.json")));
        assertThat(child).contains("--step --slice 128");
        parsed(child.split(" "));
    }

    /** The demo's daemon serves its own view on a free port; the source's page is told where it is. */
    @Test
    void theDestinationsLiveViewIsAnOptionOfTheDaemonAndTheSourceShowsIt() {
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--no-warm-up", "--web", "70000"), "--web needs a port from 0 to 65535, not 70000");
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--web", "soon"), "'soon' is not an int");
        assertUsageError(CapturedRun.vmm(migrate("--peer-view", "http://127.0.0.1:8081/")),
                "--peer-view needs --web");
        assertUsageError(CapturedRun.vmm(migrate("--web", "0", "--peer-view", "javascript:alert(1)")),
                "--peer-view needs an address like http://127.0.0.1:8081/");

        DaemonCommand daemon = (DaemonCommand) VmmCommand.commandLine().parseArgs("daemon", "--listen", "127.0.0.1:0",
                "--secret-file", secret.toString(), "--web").subcommand().commandSpec().userObject();
        assertThat(daemon).extracting("webPort").isEqualTo(8080);

        DemoCommand watched = (DemoCommand) VmmCommand.commandLine().parseArgs("demo", "--web", "0")
                .subcommand().commandSpec().userObject();
        assertThat(String.join(" ", watched.daemonArguments(secret, dir.resolve("d.json")))).endsWith(" --web 0");
        String child = String.join(" ", watched.migrateArguments(org.migrationlab.emulator.machine.MachineConfig
                .of(64L << 20, new org.migrationlab.emulator.image.BootArgs("wss", java.util.Map.of(), 1)),
                java.util.List.of(), "127.0.0.1:1", secret, dir.resolve("m.json"), "http://127.0.0.1:4321/"));
        assertThat(child).contains("--web 0 --peer-view http://127.0.0.1:4321/");
        parsed(child.split(" "));
        DemoCommand unwatched = (DemoCommand) VmmCommand.commandLine().parseArgs("demo").subcommand().commandSpec()
                .userObject();
        assertThat(unwatched.daemonArguments(secret, dir.resolve("d.json"))).doesNotContain("--web");
    }

    @Test
    void badDurationsAndBandwidthsOnTheCommandLineAreOneLineAndExitCode2() {
        assertUsageError(CapturedRun.vmm(migrate("--latency", "5")), "'5' needs a unit");
        assertUsageError(CapturedRun.vmm(migrate("--after", "soon")), "'soon' is not a duration");
        assertUsageError(CapturedRun.vmm(migrate("--bandwidth", "fast")), "'fast' is not a bandwidth");
        assertUsageError(CapturedRun.vmm(migrate("--downtime-target", "500us")), "--downtime-target must be at least 1ms");
        assertUsageError(CapturedRun.vmm("demo", "--bandwidth", "1g"), "'1g' is not a bandwidth");
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--latency", "1 fortnight"), "is not a duration");
    }

    @Test
    void startOptionsExcludeEachOther() {
        assertUsageError(CapturedRun.vmm(migrate("--after", "2s", "--after-progress", "5")), "mutually exclusive");
    }

    @Test
    void aHoldPointBeforeTheStartOrBelowZeroIsAUsageError() {
        assertUsageError(CapturedRun.vmm(migrate("--after-progress", "5000", "--hold-at", "4999")),
                "--hold-at 4999 lies before --after-progress 5000");
        assertUsageError(CapturedRun.vmm(migrate("--hold-at", "-1")), "--hold-at must not be negative");
        assertUsageError(CapturedRun.vmm("demo", "--hold-at", "-5"), "--hold-at must not be negative");
        assertUsageError(CapturedRun.vmm("migrate", "--recover", dir.toString(), "--secret-file", secret.toString(),
                "--hold-at", "5"),
                "a recovering source's guest is past its switch-over");
    }

    @Test
    void missingRequiredOptionsAndBadAddressesAreUsageErrors() {
        assertUsageError(CapturedRun.vmm("migrate", "--secret-file", secret.toString()),
                "--migrate-to is required (or --recover DIR)");
        assertUsageError(CapturedRun.vmm("daemon", "--secret-file", secret.toString()),
                "Missing required option: '--listen=HOST:PORT'");
        assertUsageError(CapturedRun.vmm("migrate", "--migrate-to", "nowhere", "--secret-file", secret.toString()),
                "'nowhere' is not HOST:PORT");
        assertUsageError(CapturedRun.vmm("migrate", "--migrate-to", "127.0.0.1:0", "--secret-file", secret.toString()),
                "--migrate-to needs the daemon's port, not 0");
    }

    @Test
    void secretsShorterThan16BytesOrMissingAreUsageErrorsBeforeAnyConnection() throws IOException {
        Path shortSecret = Files.writeString(dir.resolve("short"), "fifteen-bytes!!\n");
        assertUsageError(CapturedRun.vmm("migrate", "--migrate-to", "127.0.0.1:9", "--secret-file",
                shortSecret.toString()), "has 15 bytes; at least 16 are needed");
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file",
                dir.resolve("absent").toString()), "cannot read the secret file");
    }

    @Test
    void secretFileEndingsDoNotChangeTheSecret() throws IOException {
        byte[] plain = Transports.readSecret(Files.writeString(dir.resolve("a"), "0123456789abcdef"));
        assertThat(Transports.readSecret(Files.writeString(dir.resolve("b"), "0123456789abcdef\n"))).isEqualTo(plain);
        assertThat(Transports.readSecret(Files.writeString(dir.resolve("c"), "0123456789abcdef\r\n"))).isEqualTo(plain);
    }

    @Test
    void daemonTlsNeedsCertificateAndKeyAndJsonNeedsAFile() {
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--tls-cert", dir.resolve("cert.pem").toString()), "--tls-cert and --tls-key go together");
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--json", "-"), "--json needs a file here");
        assertUsageError(CapturedRun.vmm("daemon", "--listen", "127.0.0.1:0", "--secret-file", secret.toString(),
                "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString()),
                "cannot read the TLS certificate");
    }

    @Test
    void demoRejectsBadGuestOptionsBeforeStartingAnyProcess() {
        assertUsageError(CapturedRun.vmm("demo", "--memory", "3M"), "memory must be a multiple of 4 KiB");
        assertUsageError(CapturedRun.vmm("demo", "--arg", "wss=1M", "--arg", "wss=2M"), "--arg wss is given twice");
        assertUsageError(CapturedRun.vmm("demo", "--json", dir.resolve("no/such/dir/x.json").toString()),
                "cannot write the JSON report to");
    }

    @Test
    void demoSpellsSizesAndBandwidthsAsTheChildrenReadThem() {
        assertThat(DemoCommand.sizeArgument(512L << 20)).isEqualTo("512M");
        assertThat(DemoCommand.sizeArgument(3L << 30)).isEqualTo("3G");
        assertThat(DemoCommand.sizeArgument(4097 * 1024L)).isEqualTo("4097K");
        assertThat(DemoCommand.bandwidthArgument(1_000_000_000)).isEqualTo("1gbit");
        assertThat(DemoCommand.bandwidthArgument(8_388_608)).isEqualTo("8388608bit");
        assertThat(BandwidthConverter.parse(DemoCommand.bandwidthArgument(8_388_608))).isEqualTo(8_388_608);
    }
}
