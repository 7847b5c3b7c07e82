package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.migrationlab.migration.faults.Fault;
import org.migrationlab.migration.faults.FaultPlan;

/**
 * The demo's operator for a fault plan's kills (docs/FAULTS.md): the source announces each kill as its
 * trigger fires ({@code fault fired: kill ...}), and this kills the named child at once with SIGKILL
 * ({@link Process#destroyForcibly}). A killed destination is restarted on the same address and state
 * directory, as an operator would, so that its journal can answer the source. A source killed after the
 * switch-over is replaced, once it is dead, by {@code vmm migrate --recover} on its state directory, which
 * finishes the migration. Acts on its own thread, never on the thread that copies the child's output.
 */
final class KillHarness {
    private static final String KILL_DESTINATION = "fault fired: kill destination";
    private static final String KILL_SOURCE = "fault fired: kill source";

    private final ChildProcesses children;
    private final PrintWriter out;
    private volatile List<String> restartArguments = List.of();
    private volatile List<String> recoverArguments = List.of();
    /** The recovering source once started; null when none was (a kill before the switch-over, a failure). */
    private final CompletableFuture<Process> recovering = new CompletableFuture<>();
    private final AtomicBoolean fired = new AtomicBoolean();
    private final AtomicInteger destinationConsoleLines = new AtomicInteger();
    private volatile Process destination;
    private volatile Process source;
    /** When the kill was sent (wall clock, ms since the epoch; the source reports its resumption the same way). */
    private volatile long killedAtEpochMs;
    private volatile boolean destinationKilled;
    private volatile boolean sourceKilled;
    private volatile boolean sourceKilledAfterSwitchOver;
    private volatile long restartListeningMs = -1;
    /** When the recovering source was started (wall clock, ms since the epoch); 0 before. */
    private volatile long recoveryStartedAtEpochMs;

    KillHarness(ChildProcesses children, PrintWriter out) {
        this.children = children;
        this.out = out;
    }

    /** The daemon's arguments for its restart: the same address and state directory. */
    void restartWith(List<String> arguments) {
        restartArguments = List.copyOf(arguments);
    }

    /**
     * The arguments of the source's successor ({@code vmm migrate --recover DIR ...}), started when the source
     * is killed after the switch-over; without them (or for an earlier kill) the guest is lost with the source.
     */
    void recoverWith(List<String> arguments) {
        recoverArguments = List.copyOf(arguments);
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
                : () -> killSource(line));
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

    private void killSource(String announcement) {
        say("vmm demo: killing the source (SIGKILL) as the plan said");
        killedAtEpochMs = System.currentTimeMillis();
        sourceKilledAfterSwitchOver = afterSwitchOver(announcement);
        sourceKilled = true;
        Process started = null;
        try {
            long pid = source.pid();
            source.destroyForcibly().waitFor(ChildProcesses.GRACE_SECONDS, TimeUnit.SECONDS);
            boolean dead = !source.isAlive() && ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty();
            say("vmm demo: killed the source (SIGKILL; exit code " + ChildProcesses.exitCode(source) + "; pid " + pid
                    + (dead ? " is gone" : " still runs") + ")");
            if (recoverArguments.isEmpty() || !sourceKilledAfterSwitchOver) {
                return;
            }
            if (!dead) {
                say("vmm demo: not starting a new source while the killed one may still run");
                return;
            }
            say("vmm demo: the guest's pages and frozen state are in the dead source's state directory; a new"
                    + " source process takes the migration over from them: vmm " + String.join(" ", recoverArguments));
            recoveryStartedAtEpochMs = System.currentTimeMillis();
            List<String> arguments = new ArrayList<>(recoverArguments);
            arguments.add("--no-report-table"); // printed by the demo, with the oracle's verdict
            started = children.start(arguments, "[source, recovering] ", line -> { });
            say("vmm demo: the recovering source runs as pid " + started.pid() + ", "
                    + (recoveryStartedAtEpochMs - killedAtEpochMs) + " ms after the kill");
        } catch (IOException | RuntimeException e) {
            say("vmm demo: could not start the recovering source: " + OneLine.of(String.valueOf(e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            recovering.complete(started);
        }
    }

    /** Whether the announced kill ({@code fault fired: kill source at T (...)}) fired after the switch-over. */
    static boolean afterSwitchOver(String announcement) {
        int at = announcement.indexOf("fault fired: ");
        if (at < 0) {
            return false;
        }
        String fault = announcement.substring(at + "fault fired: ".length());
        int where = fault.indexOf(" (");
        try {
            FaultPlan plan = FaultPlan.parse(where < 0 ? fault : fault.substring(0, where));
            return plan.kills().stream().anyMatch(f -> f instanceof Fault.Kill kill && kill.trigger().fromSwitchOver());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The recovering source, once the killed one is dead and it was started; null when none was started (the
     * kill came before the switch-over, the killed source did not die, or the start failed) or at the deadline
     * (System.nanoTime).
     */
    Process awaitRecovering(long deadline) throws InterruptedException {
        try {
            return recovering.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** Whether the source's kill was announced at the switch-over or in post-copy. */
    boolean sourceKilledAfterSwitchOver() {
        return sourceKilledAfterSwitchOver;
    }

    /** From the kill to the recovering source's start, ms; -1 when none was started. */
    long recoveryStartMs() {
        return recoveryStartedAtEpochMs == 0 ? -1 : recoveryStartedAtEpochMs - killedAtEpochMs;
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
