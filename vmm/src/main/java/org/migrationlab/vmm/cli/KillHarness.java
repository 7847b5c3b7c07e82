package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's operator for a fault plan's kills (docs/FAULTS.md): the source announces each kill as its
 * trigger fires ({@code fault fired: kill ...}), and this kills the named child at once with SIGKILL
 * ({@link Process#destroyForcibly}). A killed destination is restarted on the same address and state
 * directory, as an operator would, so that its journal can answer the source. Acts on its own thread, never
 * on the thread that copies the child's output.
 */
final class KillHarness {
    private static final String KILL_DESTINATION = "fault fired: kill destination";
    private static final String KILL_SOURCE = "fault fired: kill source";

    private final ChildProcesses children;
    private final PrintWriter out;
    private volatile List<String> restartArguments = List.of();
    private final AtomicBoolean fired = new AtomicBoolean();
    private final AtomicInteger destinationConsoleLines = new AtomicInteger();
    private volatile Process destination;
    private volatile Process source;
    /** When the kill was sent (wall clock, ms since the epoch; the source reports its resumption the same way). */
    private volatile long killedAtEpochMs;
    private volatile boolean destinationKilled;
    private volatile boolean sourceKilled;
    private volatile long restartListeningMs = -1;

    KillHarness(ChildProcesses children, PrintWriter out) {
        this.children = children;
        this.out = out;
    }

    /** The daemon's arguments for its restart: the same address and state directory. */
    void restartWith(List<String> arguments) {
        restartArguments = List.copyOf(arguments);
    }

    void destination(Process process) {
        destination = process;
    }

    void source(Process process) {
        source = process;
    }

    /**
     * A line of the first destination's standard output: counts the guest console lines it printed (lost if it
     * dies); the daemon's own lines start with "listening on" or "migration ".
     */
    void onDestinationLine(String line) {
        if (!line.startsWith("migration ") && !line.startsWith("listening on ")) {
            destinationConsoleLines.incrementAndGet();
        }
    }

    /** A line of the source: a kill announcement is carried out, once. */
    void onSourceLine(String line) {
        boolean killDestination = line.contains(KILL_DESTINATION);
        if (!killDestination && !line.contains(KILL_SOURCE) || !fired.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon(true).name("demo-kill").start(killDestination ? this::killDestination
                : this::killSource);
    }

    private void killDestination() {
        int printed = destinationConsoleLines.get();
        killedAtEpochMs = System.currentTimeMillis();
        destinationKilled = true;
        try {
            destination.destroyForcibly().waitFor(ChildProcesses.GRACE_SECONDS, TimeUnit.SECONDS);
            say("vmm demo: killed the destination (SIGKILL; exit code " + ChildProcesses.exitCode(destination)
                    + ") as the plan said; it had printed " + printed
                    + " console line(s) of the guest, lost with it. Restarting it on the same address and state"
                    + " directory: vmm " + String.join(" ", restartArguments));
            children.start(restartArguments, "[destination, restarted] ", line -> restartListeningMs =
                    System.currentTimeMillis() - killedAtEpochMs);
        } catch (IOException | RuntimeException e) {
            say("vmm demo: could not restart the destination: " + OneLine.of(String.valueOf(e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void killSource() {
        say("vmm demo: killing the source (SIGKILL) as the plan said");
        killedAtEpochMs = System.currentTimeMillis();
        sourceKilled = true;
        try {
            source.destroyForcibly().waitFor(ChildProcesses.GRACE_SECONDS, TimeUnit.SECONDS);
            say("vmm demo: killed the source (SIGKILL; exit code " + ChildProcesses.exitCode(source) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean destinationKilled() {
        return destinationKilled;
    }

    boolean sourceKilled() {
        return sourceKilled;
    }

    /** Console lines of the guest the killed destination had printed. */
    int destinationConsoleLines() {
        return destinationConsoleLines.get();
    }

    /** From the kill to the restarted destination's first line (it listens); -1 before. */
    long restartListeningMs() {
        return restartListeningMs;
    }

    long killedAtEpochMs() {
        return killedAtEpochMs;
    }

    private void say(String line) {
        MigrateCommand.printLine(out, line);
    }
}
