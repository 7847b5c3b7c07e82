package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code vmm} command run as a child JVM, as a user runs it, for the process tests: its standard output
 * and error go to files in a directory, it gets {@code limitSeconds} to end and is killed with its own
 * children when it does not.
 *
 * @param exited   whether it ended within the limit
 * @param exitCode its exit code (-1 when it was killed)
 * @param seconds  how long it ran
 */
record VmmChild(boolean exited, int exitCode, String stdout, String stderr, double seconds) {

    /**
     * A {@code vmm demo} of a fault plan, in a new JVM, with the state directory and JSON report given, and no
     * warm-up: {@code options} are the guest's, the link's and the timeout.
     */
    static List<String> demoCommand(String faults, Path stateDir, Path json, String... options) {
        List<String> command = new java.util.ArrayList<>(ChildProcesses.javaCommand());
        command.add("demo");
        command.addAll(List.of(options));
        command.addAll(List.of("--faults", faults, "--state-dir", stateDir.toString(), "--json", json.toString(),
                "--no-warm-up"));
        return command;
    }

    /** Runs {@code command} ({@link ChildProcesses#javaCommand()} and the command's arguments). */
    static VmmChild run(Path dir, long limitSeconds, List<String> command) throws IOException, InterruptedException {
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        long start = System.nanoTime();
        Process child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        child.getOutputStream().close();
        boolean exited = child.waitFor(limitSeconds, TimeUnit.SECONDS);
        if (!exited) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new VmmChild(exited, exited ? child.exitValue() : -1, Files.readString(out), Files.readString(err),
                seconds);
    }

    /** Asserts it ended in time with exit code 0, showing both outputs when it did not. */
    VmmChild assertSucceeded(long limitSeconds) {
        assertThat(exited).as("ended within %d s; stdout: %s; stderr: %s", limitSeconds, stdout, stderr).isTrue();
        assertThat(exitCode).as("exit code; stdout: %s; stderr: %s", stdout, stderr).isZero();
        return this;
    }
}
