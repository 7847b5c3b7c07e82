package org.migrationlab.vmm.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process whose every output line (standard output and error) is kept with the instant it arrived,
 * so a test can wait for a line (blocking, bounded) and time events from the lines' arrivals.
 */
public final class WatchedProcess implements AutoCloseable {
    /** One line, and when it arrived ({@link System#nanoTime}). */
    public record Line(long nanos, String text) {
    }

    private final String name;
    private final Process process;
    private final List<Line> lines = new ArrayList<>(); // guarded by itself
    private final List<Thread> pumps;

    private WatchedProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.pumps = List.of(pump(process.getInputStream()), pump(process.getErrorStream()));
    }

    public static WatchedProcess start(String name, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        return new WatchedProcess(name, process);
    }

    private Thread pump(InputStream in) {
        return Thread.ofPlatform().daemon(true).name(name + "-output").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String text; (text = reader.readLine()) != null; ) {
                    Line line = new Line(System.nanoTime(), text);
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
    }

    /** The first line containing {@code text}, waiting for it up to {@code seconds}; empty if none came. */
    public Optional<Line> await(String text, long seconds) throws InterruptedException {
        return await(line -> line.text().contains(text), seconds);
    }

    public Optional<Line> await(Predicate<Line> wanted, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (lines) {
            while (true) {
                Optional<Line> found = lines.stream().filter(wanted).findFirst();
                long left = deadline - System.nanoTime();
                if (found.isPresent() || left <= 0 || !process.isAlive() && pumpsDone()) {
                    return found;
                }
                // Woken by each new line; a process that ends without one is seen at the next deadline slice.
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
        }
    }

    private boolean pumpsDone() {
        return pumps.stream().noneMatch(Thread::isAlive);
    }

    /** The exit code, or null if it was still running after {@code seconds}. */
    public Integer waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return null;
        }
        for (Thread pump : pumps) {
            pump.join(TimeUnit.SECONDS.toMillis(5));
        }
        return process.exitValue();
    }

    public Process process() {
        return process;
    }

    /** Everything it printed so far, one line each, for assertion messages. */
    public String output() {
        synchronized (lines) {
            StringBuilder all = new StringBuilder();
            lines.forEach(line -> all.append('[').append(name).append("] ").append(line.text()).append('\n'));
            return all.toString();
        }
    }

    /** Kills it with its descendants (SIGKILL), if still running. */
    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
