package org.migrationlab.emulator.machine;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.migrationlab.emulator.cpu.VcpuExit;

/**
 * Owns a machine's vCPU thread: runs the guest, and between slices executes work that must happen at a
 * clean point on that thread (harvesting the dirty log, capturing state, changing page tables). Other
 * threads hand work over with {@link #atPause}; the guest resumes afterwards unless the work asked to
 * {@link Then#HOLD hold} it, in which case it stays paused until {@link #resume()}.
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

        record Stop() implements Command {
        }
    }

    private static final long PAUSE_TIMEOUT_SECONDS = 60;
    private static final long CLOSE_GRACE_MILLIS = 2_000;
    private final Machine machine;
    private final FaultHandler faults;
    private final BlockingQueue<Command> commands = new ArrayBlockingQueue<>(64);
    private final CompletableFuture<VcpuExit> finished = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopped;

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

    /** Starts a vCPU thread whose guest stays paused until {@link #resume()}. */
    public static VcpuRunner startHeld(Machine machine, FaultHandler faults, String threadName) {
        VcpuRunner runner = new VcpuRunner(machine, faults, threadName, true);
        runner.thread.start();
        return runner;
    }

    /** Completes with the exit that ended the guest (halt, crash, error) — never with a pause. */
    public CompletableFuture<VcpuExit> finished() {
        return finished;
    }

    /**
     * Pauses the guest at its next clean point, runs {@code work} on the vCPU thread, then resumes or
     * holds. Works on a finished guest too (the work then runs at once on the vCPU thread).
     */
    public <T> CompletableFuture<T> atPause(Function<Machine, T> work, Then then) {
        CompletableFuture<T> done = new CompletableFuture<>();
        enqueue(new Command.Work<>(work, then, done));
        return done;
    }

    /** Lets a held guest run again. */
    public void resume() {
        enqueue(new Command.Resume());
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
            while (!stopped) {
                if (!held && !machine.isFinished()) {
                    VcpuExit exit = machine.run(faults);
                    if (!(exit instanceof VcpuExit.Paused)) {
                        if (exit instanceof VcpuExit.Hypercall) {
                            continue; // no device asks to return to the host yet; keep running
                        }
                        finished.complete(exit);
                        continue;
                    }
                }
                // Paused (or held, or finished): serve commands. Wait only when we must not run.
                Command command = held || machine.isFinished() ? commands.take() : commands.poll();
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
