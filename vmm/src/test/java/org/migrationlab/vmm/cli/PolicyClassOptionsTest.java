package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.balloon.policy.NoBalloon;
import org.migrationlab.migration.policy.LoadedPolicies;
import org.migrationlab.migration.postcopy.prepage.LinearPush;
import org.migrationlab.migration.precopy.stop.StopPolicy;
import org.migrationlab.migration.precopy.stop.XenStopPolicy;
import org.migrationlab.vmm.testing.CapturedRun;

import picocli.CommandLine;

/**
 * --stop-policy-class, --prepage-class and --balloon-policy-class: a class that cannot be used is one line
 * and exit code 2 before any guest boots; a usable one reaches the engine's config, and the demo passes them
 * to its source. 'vmm lab check' refuses an unknown lab or folder the same way.
 */
class PolicyClassOptionsTest {
    @TempDir
    Path dir;

    private Path secret;

    @BeforeEach
    void writeSecret() throws IOException {
        secret = Files.writeString(dir.resolve("secret"), "policy-class-options-test-secret-0123456789\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
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
    }

    @Test
    void classesThatCannotBeUsedAreOneLineAndExitCode2() {
        assertUsageError(CapturedRun.vmm(migrate("--stop-policy-class", "com.example.Missing")),
                "policy class com.example.Missing not found");
        assertUsageError(CapturedRun.vmm(migrate("--prepage-class", XenStopPolicy.class.getName())),
                "does not implement org.migrationlab.migration.postcopy.prepage.PrepageStrategy");
        assertUsageError(CapturedRun.vmm(migrate("--balloon-policy-class", "no/such.jar:com.example.X")),
                "policy class path no/such.jar does not exist");
        assertUsageError(CapturedRun.vmm("run", "--balloon-policy-class", "com.example.Missing"),
                "com.example.Missing not found");
        assertUsageError(CapturedRun.vmm("demo", "--stop-policy-class", "com.example.Missing"),
                "com.example.Missing not found");
    }

    @Test
    void loadedClassesReachTheConfigAndTheDemosSource() {
        PolicyClassOptions options = new PolicyClassOptions();
        new CommandLine(new Holder(options)).parseArgs("--stop-policy-class", SwitchAtOnce.class.getName(),
                "--prepage-class", LinearPush.class.getName(), "--balloon-policy-class", NoBalloon.class.getName(),
                "--policy-timeout", "50ms");
        LoadedPolicies loaded = options.loaded("vmm test", new java.io.PrintWriter(System.err));
        assertThat(loaded.stop()).hasValueSatisfying(p -> assertThat(p.label()).endsWith("SwitchAtOnce"));
        assertThat(loaded.prepage()).hasValueSatisfying(p -> assertThat(p.label()).endsWith("LinearPush"));
        assertThat(loaded.balloon()).hasValueSatisfying(p -> assertThat(p.label()).endsWith("NoBalloon"));
        assertThat(loaded.callTimeoutMillis()).isEqualTo(50);
        assertThat(options.asArguments()).containsExactly("--stop-policy-class", SwitchAtOnce.class.getName(),
                "--prepage-class", LinearPush.class.getName(), "--balloon-policy-class", NoBalloon.class.getName(),
                "--policy-timeout", "50ms");
    }

    @Test
    void labCheckRefusesAnUnknownLabOrFolder() {
        assertUsageError(CapturedRun.vmm("lab", "check", "9"), "there is no lab 9");
        assertUsageError(CapturedRun.vmm("lab", "check", "2", dir.resolve("nowhere").toString()), "no such folder");
    }

    public static final class SwitchAtOnce implements StopPolicy {
        @Override
        public Decision afterRound(RoundReport round) {
            return new Decision.SwitchOver("at once", -1);
        }
    }

    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        final PolicyClassOptions options;

        Holder(PolicyClassOptions options) {
            this.options = options;
        }
    }
}
