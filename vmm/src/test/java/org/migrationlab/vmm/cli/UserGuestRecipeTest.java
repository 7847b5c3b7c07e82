package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.report.ReportJson;
import tools.jackson.databind.JsonNode;
import org.migrationlab.vmm.testing.CapturedRun;

/**
 * The user-guest recipe of guest-images/GUIDE.md works as written: its very commands build the example
 * guests with {@code guest-images/build-guest}, and {@code vmm run --image} runs what they built to the
 * same end as the images the Maven build packaged.
 */
@Timeout(120)
class UserGuestRecipeTest {
    /** The repository's root: the tests run in the vmm module's directory. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String BUILD_HELLO =
            "guest-images/build-guest -o hello.elf --flat hello.bin guest-images/src/main/c/examples/hello.c";
    private static final String BUILD_COUNTER =
            "guest-images/build-guest -o counter.elf guest-images/src/main/c/examples/counter.c";

    @TempDir
    Path dir;

    @Test
    void helloBuiltByTheGuidesCommandRunsAsElfAndAsFlatImage() throws Exception {
        buildAsTheGuideSays(BUILD_HELLO);

        CapturedRun elf = CapturedRun.vmm("run", "--image", dir.resolve("hello.elf").toString(), "--memory", "8M");
        assertThat(elf.exitCode()).as("stderr: %s", elf.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(elf.out()).startsWith("hello from a user guest\n").contains("result           0x000000000000002a (42)");

        CapturedRun flat = CapturedRun.vmm("run", "--image", dir.resolve("hello.bin").toString(), "--format", "flat",
                "--memory", "8M", "--quiet");
        assertThat(flat.exitCode()).as("stderr: %s", flat.err()).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(flat.out()).contains("(42)");
    }

    @Test
    void counterBuiltByTheGuidesCommandRunsToTheEndOfThePackagedOne() throws Exception {
        buildAsTheGuideSays(BUILD_COUNTER);
        Path packaged = Files.write(dir.resolve("packaged-counter.elf"), GuestImages.load(GuestImages.COUNTER_ELF));

        JsonNode built = runToJson(dir.resolve("counter.elf"));
        JsonNode reference = runToJson(packaged);

        assertThat(built.get("outcome").stringValue()).isEqualTo("halted");
        assertThat(built.get("status").longValue()).isEqualTo(0L);
        assertThat(built.get("console").stringValue()).startsWith("counter: start pages 2048 at 0x")
                .contains("counter: pass 1 of 6\n", "counter: pass 6 of 6\n", "counter: done pages 2048 passes 6 result 0x");
        JsonNode progress = built.get("progress");
        assertThat(progress.get("progress").longValue()).isEqualTo(2048L * 6);
        assertThat(progress.get("passes").longValue()).isEqualTo(6L);
        for (String key : new String[] {"result", "status", "memory-hash", "console"}) {
            assertThat(built.get(key)).as(key).isEqualTo(reference.get(key));
        }
    }

    private JsonNode runToJson(Path image) {
        CapturedRun run = CapturedRun.vmm("run", "--image", image.toString(), "--json", "-", "--quiet");
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.SUCCESS.code());
        return ReportJson.parse(run.out());
    }

    /**
     * Runs {@code command}, which GUIDE.md must show word for word, in the temporary directory: the
     * paths it names inside the repository are resolved against the repository's root, its outputs
     * land in the temporary directory.
     */
    private void buildAsTheGuideSays(String command) throws IOException, InterruptedException {
        assertThat(Files.readString(ROOT.resolve("guest-images/GUIDE.md"))).as("GUIDE.md shows the command")
                .contains(command);
        List<String> words = new ArrayList<>();
        for (String word : command.split(" ")) {
            words.add(word.startsWith("guest-images/") ? ROOT.resolve(word).toString() : word);
        }
        Process process = new ProcessBuilder(words).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("build-guest finished").isTrue();
        assertThat(process.exitValue()).as("%s\n%s", command, output).isZero();
    }
}
