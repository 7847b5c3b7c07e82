package org.migrationlab.vmm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The child JVMs of {@code vmm demo}: starts {@code vmm} subcommands in new JVMs like this one, copies their
 * output line by line with a prefix, waits for them with deadlines, and ends every one still running when
 * closed (politely, then forcibly). Children never outlive their owner.
 */
final class ChildProcesses implements AutoCloseable {
    static final long GRACE_SECONDS = 5;
    /**
     * JVM flags for the children only, comma-separated: a JIT or a recording choice (say
     * {@code -XX:StartFlightRecording}) that this JVM does not run with itself. Being a {@code migrationlab.}
     * property it reaches the children's children too.
     */
    static final String CHILD_FLAGS_PROPERTY = "migrationlab.child-jvm-flags";

    private final List<Process> children = new ArrayList<>(); // guarded by itself
    private final List<Thread> pumps = new ArrayList<>();
    private final PrintWriter out;
    private final PrintWriter err;

    ChildProcesses(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /** The command that starts this program in a new JVM: same java, same class path, native access. */
    static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        // Flags the launcher or test runner gave this JVM that the children need too (stack size for the
        // emulator's vCPU threads, the lab's own properties such as the Unicorn library's location, the early
        // compilation of the JDK's AES-GCM that sealed frames need from their first second, the module openings
        // the journal's store needs, and the JDK AOT cache bin/vmm built: the children run the same class path
        // with the same module flags, so the same cache fits them; with other module flags it would refuse to
        // start them).
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("-Xss") || flag.startsWith("-Xmx") || flag.startsWith("-Dmigrationlab.")
                    || flag.startsWith("-XX:CompileCommand=") || flag.startsWith("-XX:AOTCache=")
                    || flag.startsWith("--add-opens=") || flag.startsWith("--add-exports=")
                    || flag.startsWith("--sun-misc-unsafe-memory-access=")) {
                command.add(flag);
            }
        }
        command.addAll(childFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VmmCommand.class.getName()));
        return command;
    }

    /** The flags of {@link #CHILD_FLAGS_PROPERTY}, in order; none when it is unset or blank. */
    static List<String> childFlags() {
        return Arrays.stream(System.getProperty(CHILD_FLAGS_PROPERTY, "").split(","))
                .map(String::strip).filter(flag -> !flag.isEmpty()).toList();
    }

    /**
     * Starts {@code vmm vmmArgs} in a new JVM; its lines go to this one's out and err with {@code prefix},
     * and its first line of standard output to {@code firstLine} as well.
     */
    Process start(List<String> vmmArgs, String prefix, Consumer<String> firstLine) throws IOException {
        return start(vmmArgs, prefix, firstLine, line -> { }, line -> { });
    }

    /**
     * As {@link #start(List, String, Consumer)}, and every line of standard output to {@code eachOutLine}, of
     * standard error to {@code eachErrLine}, as well.
     */
    Process start(List<String> vmmArgs, String prefix, Consumer<String> firstLine, Consumer<String> eachOutLine,
                  Consumer<String> eachErrLine) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(vmmArgs);
        Process process;
        synchronized (children) {
            process = new ProcessBuilder(command).start();
            children.add(process);
        }
        process.getOutputStream().close();
        pumps.add(pump(process.getInputStream(), prefix, out, firstLine, eachOutLine));
        pumps.add(pump(process.getErrorStream(), prefix, err, line -> { }, eachErrLine));
        return process;
    }

    /** Copies a child's stream line by line, prefixed; hands the first line to {@code firstLine} as well. */
    private static Thread pump(InputStream in, String prefix, PrintWriter to, Consumer<String> firstLine,
                               Consumer<String> eachLine) {
        return Thread.ofPlatform().daemon(true).name("demo-output").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                boolean first = true;
                for (String line; (line = reader.readLine()) != null; ) {
                    MigrateCommand.printLine(to, prefix + line);
                    eachLine.accept(line);
                    if (first) {
                        firstLine.accept(line);
                        first = false;
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
    }

    /** The exit code, or null when the process was still running at the deadline (System.nanoTime). */
    static Integer waitFor(Process process, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0 && process.waitFor(left, TimeUnit.NANOSECONDS)) {
            return process.exitValue();
        }
        return process.isAlive() ? null : process.exitValue();
    }

    static String exitCode(Process process) {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /** Waits (bounded) for the output of every child to be copied. */
    void joinOutput(long deadline) throws InterruptedException {
        for (Thread pump : pumps) {
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            pump.join(Math.min(left, TimeUnit.SECONDS.toMillis(GRACE_SECONDS)));
        }
    }

    /** Ends every child still running: politely, then forcibly after a grace period. */
    @Override
    public void close() {
        List<Process> running;
        synchronized (children) {
            running = children.stream().filter(Process::isAlive).toList();
        }
        running.forEach(Process::destroy);
        for (Process process : running) {
            try {
                if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
