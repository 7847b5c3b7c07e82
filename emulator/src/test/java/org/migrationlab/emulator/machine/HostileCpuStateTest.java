package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.testing.HostileCpuStates;

/**
 * A CPU state from a hostile migration source reaches the emulator only if this machine's guests can be
 * in it. Without that check, the first state below (GDTR limit 0xffff, FS 0x8) made Unicorn read a
 * descriptor from the unmapped null page while loading FS, and the JVM died with SIGSEGV. The states are
 * restored in a child JVM ({@link HostileCpuStateChild}), so such a death fails this test instead of the
 * test run; the child must refuse each one and then run the real state to its end on the same machine.
 */
@Timeout(180)
class HostileCpuStateTest {

    @Test
    void everyHostileStateIsRefusedAndTheProcessAndTheMachineCarryOn() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                HostileCpuStateChild.class.getName())
                .redirectErrorStream(true).start();
        String output = read(child);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child ended").isTrue();
        int exit = child.exitValue();
        assertThat(exit).as("exit code of the child JVM (%s)%n%s", exit > 128 ? "killed by signal " + (exit - 128)
                : "normal exit", output).isZero();
        List<String> lines = output.lines().toList();
        for (HostileCpuStates.Mutation mutation : HostileCpuStates.all(16L << 20)) {
            assertThat(lines).as(mutation.name()).anyMatch(line -> line.startsWith("refused " + mutation.name()
                    + " (REFUSED): CPU state: " + mutation.register() + " "));
        }
        assertThat(lines).noneMatch(line -> line.startsWith("ACCEPTED"));
        assertThat(lines).anyMatch(line -> line.startsWith("carried on: Halted"));
    }

    private static String read(Process child) throws IOException {
        try (var in = child.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
