package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a separate JVM, a missing libunicorn must end in exit code 2 and one line naming the Debian package,
 * not in a JVM crash or a stack trace.
 */
class MissingUnicornLibraryProcessIT {

    @TempDir
    Path dir;

    @Test
    void missingLibraryIsAClearUsageErrorAndTheJvmExitsNormally() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dmigrationlab.unicorn.library=/nonexistent/libunicorn.so.2",
                "-cp", System.getProperty("java.class.path"), VmmCommand.class.getName(),
                "run", "--workload", "wss", "--memory", "8M", "--arg", "wss=64K"))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        process.getOutputStream().close();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String stderr = Files.readString(err);

        assertThat(exited).as("the child JVM exited within 60 s").isTrue();
        assertThat(process.exitValue()).as("exit code; stderr: %s", stderr).isEqualTo(ExitCode.USAGE.code());
        assertThat(stderr.lines().filter(l -> !l.isBlank()).toList()).singleElement().asString()
                .startsWith("vmm run: cannot load the Unicorn 2 emulator library '/nonexistent/libunicorn.so.2'")
                .contains("libunicorn2");
        assertThat(stderr).doesNotContain("\tat ", "SIGSEGV", "hs_err");
        assertThat(Files.readString(out)).isEmpty();
    }
}
