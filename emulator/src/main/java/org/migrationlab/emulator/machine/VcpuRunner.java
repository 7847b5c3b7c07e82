package org.migrationlab.emulator.machine;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.migrationlab.emulator.cpu.VcpuExit;

/**
 * Owns a machine's vCPU thread: runs the guest, and between slices executes work that must happen at a
 * clean point on that thread (harvesting the dirty log, capturing state, changing page tables). Work is
 * handed over with {@link #atPause} — package-private: outside this package the vCPU obeys only the
 * named commands of {@link MigratableMachine}. The guest resumes after the work unless it asked to
 * {@link Then#HOLD hold} it, in which case it stays paused until {@link #resume()}.
 *
 * <p>Throttling (QEMU's cpu-throttle, which auto-converge drives): with a throttle of p %, a ticker asks
 * the vCPU to pause every {@link #THROTTLE_SLICE_NANOS}, and after each run the vCPU sleeps
 * {@code run time × p / (100 − p)}, so the guest runs (100 − p) % of the wall time. Commands that arrive
 * during a sleep are served at once.
 *
 * <p>Threading: commands travel on a bounded queue; the machine is touched only by the vCPU thread
 * while the runner is alive.
 */
public final class VcpuRunner implements AutoCloseable {
    /** What the vCPU does after a piece of work. */
    public enum Then { RESUME, HOLD }

    private sealed interface Command {
        record Work<T>(Function<Machine, T> work, Then then, CompletableFuture<T> done) implements Command {
        }

        record Resume() implements Command {
        }

        /** Wakes a vCPU that waits for commands, so that it sees a change of {@code parked}. */
        record Wake() implements Command {
        }

        record Stop() implements Command {
        }
    }

    /** How often a throttled guest is stopped to sleep its share (QEMU's throttle timeslice). */
    public static final long THROTTLE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final ScheduledExecutorService THROTTLE_TICKER = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().name("vcpu-throttle").daemon(true).unstarted(runnable));
    private static final long PAUSE_TIMEOUT_SECONDS = 60;
    private static final long CLOSE_GRACE_MILLIS = 2_000;
    private final Machine machine;
    private final FaultHandler faults;
    private final BlockingQueue<Command> commands = new ArrayBlockingQueue<>(64);
    private final CompletableFuture<VcpuExit> finished = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopped;
    /** A parked guest does not run, but commands are still served (see {@link #park}). */
    private volatile boolean parked;
    private volatile int throttlePercent;
    private volatile long throttledNanos;
    private ScheduledFuture<?> throttleTicks; // guarded by this

    private VcpuRunner(Machine machine, FaultHandler faults, String threadName, boolean startHeld) {
        this.machine = machine;
        this.faults = faults;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(() -> loop(startHeld));
    }

    /** Starts a vCPU thread that runs the guest at once. */
    public static VcpuRunner start(Machine machine, FaultHandler faults, String threadName) {
        VcpuRunner runner = new VcpuRunner(machine, faults, threadName, false);
        runner.thread.start();
        return runner;
    }

    /** As {@link #start}, with the guest {@linkplain #park parked} from the first instruction on when asked. */
    static VcpuRunner start(Machine machine, FaultHandler faults, String threadName, boolean parked) {
        VcpuRunner runner = new VcpuRunner(machine, faults, threadName, false);
        runner.parked = parked;
        runner.thread.start();
        return runner;
    }

    /** Starts a vCPU thread whose guest stays paused until {@link #resume()}. */
    public static VcpuRunner startHeld(Machine machine, FaultHandler faults, String threadName) {
        VcpuRunner runner = new VcpuRunner(machine, faults, threadName, true);
        runner.thread.start();
        return runner;
    }

    /** Whether the vCPU thread has stopped for good (closed, or failed). */
    boolean isStopped() {
        return stopped;
    }

    /** Completes with the exit that ended the guest (halt, crash, error), or a pause once the runner stopped. */
    public CompletableFuture<VcpuExit> finished() {
        return finished;
    }

    /**
     * Pauses the guest at its next clean point, runs {@code work} on the vCPU thread, then resumes or
     * holds. Works on a finished guest too (the work then runs at once on the vCPU thread).
     */
    <T> CompletableFuture<T> atPause(Function<Machine, T> work, Then then) {
        CompletableFuture<T> done = new CompletableFuture<>();
        enqueue(new Command.Work<>(work, then, done));
        return done;
    }

    /** Lets a held guest run again. */
    public void resume() {
        enqueue(new Command.Resume());
    }

    /**
     * Parks or unparks the guest, to hold a live guest at a known point (a migration's hold, test fixtures):
     * a parked guest stops at its next clean
     * pause and runs no further, whatever command it serves — dirty-log harvests, freeze, summaries —
     * until it is unparked. Unlike a {@link Then#HOLD hold}, which the next command that resumes lifts,
     * parking is lifted only here. Any thread.
     */
    void park(boolean park) {
        parked = park;
        if (park) {
            machine.requestPause();
        } else if (!stopped) {
            try {
                enqueue(new Command.Wake());
            } catch (IllegalStateException closedMeanwhile) {
                // a stopped runner runs nothing anyway
            }
        }
    }

    /**
     * Slows the guest down: from now on it runs only (100 − percent) % of the wall time; 0 lifts the
     * throttle. Any thread.
     */
    public synchronized void throttle(int percent) {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("throttle must be 0..99 %: " + percent);
        }
        throttlePercent = percent;
        if (percent == 0 && !stopped) {
            commands.offer(new Command.Wake()); // a vCPU asleep for the throttle runs again at once
        }
        if (percent > 0 && throttleTicks == null && !stopped) {
            throttleTicks = THROTTLE_TICKER.scheduleAtFixedRate(machine::requestPause, THROTTLE_SLICE_NANOS,
                    THROTTLE_SLICE_NANOS, TimeUnit.NANOSECONDS);
        } else if (percent == 0 && throttleTicks != null) {
            throttleTicks.cancel(false);
            throttleTicks = null;
        }
    }

    /** The throttle now, in percent of wall time the guest does not run. */
    public int throttlePercent() {
        return throttlePercent;
    }

    /** Wall time the vCPU spent sleeping because of the throttle, so far. */
    public long throttledNanos() {
        return throttledNanos;
    }

    private void enqueue(Command command) {
        if (stopped) {
            throw new IllegalStateException("the vCPU runner is closed");
        }
        try {
            commands.put(command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing work to the vCPU", e);
        }
        machine.requestPause();
    }

    private void loop(boolean startHeld) {
        boolean held = startHeld;
        try {
            machine.halt().ifPresent(finished::complete); // a guest that had exited before it came here
            // The throttle's sleep ends at this instant. A command served during the sleep does not end it:
            // the migration's commands (dirty-log harvests, page reads) come many times a round, and a vCPU
            // that ran again after each of them slept a fraction of its share (99 % became about 85 %).
            long wakeAt = System.nanoTime();
            while (!stopped) {
                if (!held && !parked && !machine.isFinished() && System.nanoTime() - wakeAt >= 0) {
                    long runStart = System.nanoTime();
                    VcpuExit exit = machine.run(faults);
                    if (!(exit instanceof VcpuExit.Paused)) {
                        if (exit instanceof VcpuExit.Hypercall) {
                            continue; // no device asks to return to the host yet; keep running
                        }
                        finished.complete(exit);
                        continue;
                    }
                    int percent = throttlePercent;
                    long runEnd = System.nanoTime();
                    wakeAt = percent > 0 ? runEnd + (runEnd - runStart) * percent / (100 - percent) : runEnd;
                }
                // Paused (or held, or finished): serve commands. Wait only when we must not run, or for as
                // long as the throttle asks the guest to sleep.
                Command command;
                long sleepNanos = throttlePercent > 0 ? wakeAt - System.nanoTime() : 0;
                if (held || parked || machine.isFinished()) {
                    command = commands.take();
                } else if (sleepNanos > 0) {
                    long sleepStart = System.nanoTime();
                    command = commands.poll(sleepNanos, TimeUnit.NANOSECONDS);
                    throttledNanos += System.nanoTime() - sleepStart;
                } else {
                    wakeAt = System.nanoTime(); // no throttle (any more): nothing to sleep off
                    command = commands.poll();
                }
                if (command == null) {
                    continue;
                }
                held = serve(command, held);
                while ((command = commands.poll()) != null) {
                    held = serve(command, held);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            finished.complete(new VcpuExit.Error(t));
        } finally {
            stopped = true;
            synchronized (this) {
                if (throttleTicks != null) {
                    throttleTicks.cancel(false);
                    throttleTicks = null;
                }
            }
            failPending();
        }
    }

    private boolean serve(Command command, boolean held) {
        return switch (command) {
            case Command.Work<?> work -> {
                run(work);
                yield work.then() == Then.HOLD;
            }
            case Command.Resume resume -> false;
            case Command.Wake wake -> held;
            case Command.Stop stop -> {
                stopped = true;
                yield true;
            }
        };
    }

    private <T> void run(Command.Work<T> work) {
        try {
            work.done().complete(work.work().apply(machine));
        } catch (Throwable t) {
            work.done().completeExceptionally(t);
        }
    }

    private void failPending() {
        Command command;
        while ((command = commands.poll()) != null) {
            if (command instanceof Command.Work<?> work) {
                work.done().completeExceptionally(new IllegalStateException("the vCPU runner stopped"));
            }
        }
        finished.complete(new VcpuExit.Paused());
    }

    /**
     * Stops the vCPU thread and waits for it; the guest stays paused and the machine open. A guest that
     * does not reach a pause point within a grace period is abandoned (its state is then unreliable).
     */
    @Override
    public void close() {
        if (!stopped) {
            try {
                commands.offer(new Command.Stop(), PAUSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                machine.requestPause();
                thread.join(CLOSE_GRACE_MILLIS);
                if (thread.isAlive()) {
                    machine.abandon();
                    thread.join(TimeUnit.SECONDS.toMillis(PAUSE_TIMEOUT_SECONDS));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
