package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.vmm.testing.CapturedRun;

/** Usage errors: exit code 2 and exactly one line on stderr, never a stack trace. Needs no guest run. */
class VmmCommandTest {
    @TempDir
    Path dir;

    private static void assertUsageError(CapturedRun run, String expected) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains(expected).doesNotContain("Exception", "\tat ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void versionNamesTheToolAndTheJavaRuntime() {
        CapturedRun run = CapturedRun.vmm("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("vmm ").contains("Java " + Runtime.version().feature());
    }

    @Test
    void helpWorksOnEveryCommand() {
        for (String[] args : new String[][] {{"--help"}, {"run", "--help"}, {"help", "run"}, {"run", "-h"},
            {"migrate", "--help"}, {"daemon", "--help"}, {"demo", "--help"}, {"help", "demo"}}) {
            CapturedRun run = CapturedRun.vmm(args);
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("Usage: vmm");
        }
        assertThat(CapturedRun.vmm("run", "--help").out()).contains("--workload", "--memory", "--arg", "--json",
                "--count-instructions", "Exit codes:");
    }

    @Test
    void helpListsEveryWorkloadOfTheKernelsRegistry() {
        // The kernel itself names every workload of its registry when asked for one it does not know.
        CapturedRun unknown = CapturedRun.vmm("run", "--workload", "nosuch", "--memory", "8M", "--quiet");
        assertThat(unknown.errLines()).singleElement().asString().contains("; known: ");
        List<String> registry = List.of(unknown.errLines().getFirst().replaceFirst(".*; known: ", "").split(" "));
        assertThat(registry).contains("wss", "churn");
        for (String command : new String[] {"run", "migrate", "demo"}) {
            String help = CapturedRun.vmm(command, "--help").out().replaceAll("\\s+", " ");
            assertThat(help).as("vmm %s --help", command).contains(String.join(", ", registry));
        }
    }

    @Test
    void noCommandIsAUsageError() {
        assertUsageError(CapturedRun.vmm(), "vmm: missing a command: demo, run, migrate, daemon, status, rollback, eval, lab, help");
    }

    @Test
    void selfBallooningOptionsAreCheckedBeforeAnythingRuns() {
        assertUsageError(CapturedRun.vmm("run", "--dsb", "yes"), "--dsb takes on or off, not 'yes'");
        assertUsageError(CapturedRun.vmm("run", "--dsb-interval", "1s"), "--dsb-interval and --dsb-reserve need --dsb on");
        assertUsageError(CapturedRun.vmm("migrate", "--migrate-to", "127.0.0.1:1", "--secret-file", "/nonexistent",
                "--dsb-reserve", "1M"), "need --dsb on");
        assertUsageError(CapturedRun.vmm("run", "--dsb", "on", "--dsb-interval", "100ns"), "at least 1us");
        assertUsageError(CapturedRun.vmm("run", "--dsb", "on", "--arg", "dsb=off"), "--arg dsb and --dsb are both given");
        assertUsageError(CapturedRun.vmm("demo", "--dsb", "off", "--dsb-interval", "1s"), "need --dsb on");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--bogus"), "vmm run: Unknown option: '--bogus' (see 'vmm run --help')");
    }

    @Test
    void badSizeIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--memory", "12X"), "'12X' is not a size");
    }

    @Test
    void memoryOutsideTheMachinesLimitsIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--memory", "3M"), "memory must be a multiple of 4 KiB between 4 MiB");
        assertUsageError(CapturedRun.vmm("run", "--memory", "4097K"), "memory must be a multiple of 4 KiB");
    }

    @Test
    void malformedArgIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--arg", "wss"), "'wss' is not key=value");
    }

    @Test
    void repeatedArgIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--arg", "wss=1M", "--arg", "wss=2M"), "--arg wss is given twice");
    }

    @Test
    void badWorkloadNameIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--workload", "no such"), "workload name 'no such' must be");
    }

    @Test
    void badFormatIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--image", "x.elf", "--format", "zip"), "Invalid value for option '--format'");
    }

    @Test
    void formatWithoutImageIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--format", "flat"), "--format applies only to --image");
    }

    @Test
    void missingImageFileIsAUsageError() {
        assertUsageError(CapturedRun.vmm("run", "--image", dir.resolve("missing.elf").toString()),
                "cannot read image " + dir.resolve("missing.elf") + ": no such file");
    }

    @Test
    void imageThatIsNotElfIsAUsageError() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.elf"), "this is not an ELF file\n");
        assertUsageError(CapturedRun.vmm("run", "--image", junk.toString()), "invalid image: " + junk + ": not an ELF image");
    }

    @Test
    void corruptElfIsAUsageError() throws IOException {
        byte[] header = new byte[64];
        header[0] = 0x7f;
        header[1] = 'E';
        header[2] = 'L';
        header[3] = 'F';
        header[4] = 2;
        header[5] = 1;
        header[16] = 2;
        header[18] = 62;
        Path corrupt = Files.write(dir.resolve("corrupt.elf"), header);
        assertUsageError(CapturedRun.vmm("run", "--image", corrupt.toString(), "--format", "ELF"),
                "invalid image: " + corrupt + ": corrupt ELF program headers");
    }

    @Test
    void unwritableJsonTargetIsAUsageErrorBeforeTheRun() {
        assertUsageError(CapturedRun.vmm("run", "--json", dir.resolve("no/such/dir/out.json").toString()),
                "cannot write the JSON report to");
    }
}
