package org.migrationlab.migration.step;

import java.util.concurrent.CompletableFuture;

/**
 * The gate of step mode: running, it lets every step point through; paused, it holds the session thread at
 * the next step point until a user advances: "advance to the next X" lets the migration run on until it
 * takes the next step of kind X (the next pre-copy round, prepaging batch or network fault), and holds it at
 * the point after that. Thread-safe: commands come from any thread (a web view's event loop), {@link #pass}
 * is called by the session thread.
 *
 * <p>The guest is stepped too. From the {@linkplain #migrating start of the migration} on, the source's guest
 * runs while the migration moves and is parked ({@link SteppedGuest#park}) while it is held: paused, it parks
 * when the session thread comes to hold at a step point (or at a pause command), and an advance to the next
 * step lets it run until the session thread holds again. A round stepped through thus copies a guest that
 * runs, as a live migration's round does, and dirties pages for the next. A
 * {@link Step#GUEST_SLICE guest slice} unparks it until its progress counter has advanced by
 * {@link #sliceUnits()} units and parks it again; the session thread stays where it is held. The slice ends on
 * the vCPU thread, at the progress report that reaches its end ({@link SteppedGuest#progressReached}), and the
 * guest stops at that report: a slice advances the counter by at least {@code sliceUnits} and by less than
 * {@code sliceUnits} plus one report's batch (a guest reports in batches of at least 64 units), and by exactly
 * {@code sliceUnits} when every report is one batch and the slice a multiple of it. A slice is only taken while
 * the session thread is held before a pre-copy round, so before the switch-over, while the guest is the
 * source's; after the switch-over the guest runs at the destination, out of this gate's reach.
 */
public final class Stepper implements StepGate {
    /** A slice unless told otherwise: one batch of a guest's progress reports (the smallest batch it reports). */
    public static final long DEFAULT_SLICE_UNITS = 64;

    /** Serializes commands and the engine's calls, so that their parks and unparks reach the guest in order. */
    private final Object commands = new Object();
    private final long sliceUnits;
    private boolean paused;
    private Step until; // while paused: run on until a step of this kind is taken; null: hold
    private Step waitingAt;
    private long passed;
    private SteppedGuest guest; // the source's guest, from the migration's start to its end; else null
    private long sliceGeneration; // a slice's end parks the guest only if nothing came since it began
    private CompletableFuture<Long> lastSlice; // null before the first slice
    private long slices;

    public Stepper(boolean startPaused) {
        this(startPaused, DEFAULT_SLICE_UNITS);
    }

    /** A stepper whose guest slices are {@code sliceUnits} units of the guest's progress counter. */
    public Stepper(boolean startPaused, long sliceUnits) {
        if (sliceUnits <= 0) {
            throw new IllegalArgumentException("a guest slice must be positive: " + sliceUnits);
        }
        this.paused = startPaused;
        this.sliceUnits = sliceUnits;
    }

    @Override
    public void pass(Step point) throws InterruptedException {
        parkIfHeld();
        hold(point);
    }

    /**
     * If the migration is to be held (paused, no step asked for), the guest parks: it stops at its next clean
     * pause. Under the commands' lock, so that no advance's unpark can come between the test and the park.
     */
    private void parkIfHeld() {
        synchronized (commands) {
            SteppedGuest current;
            synchronized (this) {
                current = paused && until == null ? guest : null;
            }
            if (current != null) {
                current.park(true);
            }
        }
    }

    private synchronized void hold(Step point) throws InterruptedException {
        try {
            while (paused && until == null) {
                if (waitingAt != point) {
                    waitingAt = point;
                    notifyAll(); // for awaitHeld
                }
                wait();
            }
        } finally {
            waitingAt = null;
        }
        if (paused && until == point) {
            until = null; // this is the step asked for: hold at the next point
        }
        passed++;
        notifyAll();
    }

    @Override
    public void migrating(SteppedGuest source) {
        synchronized (this) {
            guest = source;
        }
        parkIfHeld(); // held before the migration's first step: the guest stands still from now on
    }

    @Override
    public void over(boolean guestStaysHere) {
        synchronized (commands) {
            SteppedGuest released;
            synchronized (this) {
                released = guest;
                guest = null;
                endSlice();
            }
            if (released != null && guestStaysHere) {
                released.park(false);
            }
        }
    }

    public void command(StepCommand command) {
        synchronized (commands) {
            switch (command) {
                case StepCommand.Advance advance when advance.step() == Step.GUEST_SLICE -> slice();
                case StepCommand.Advance advance -> {
                    boolean held;
                    synchronized (this) {
                        held = paused;
                    }
                    if (held) {
                        unparkBeforeRelease(); // the migration moves: so does its guest, until the next hold
                    }
                    synchronized (this) {
                        if (paused) {
                            until = advance.step();
                        }
                        notifyAll();
                    }
                }
                case StepCommand.Run run -> setPaused(false);
                case StepCommand.Pause pause -> setPaused(true);
            }
        }
    }

    private void setPaused(boolean pause) {
        if (!pause) {
            unparkBeforeRelease();
        }
        SteppedGuest current;
        synchronized (this) {
            paused = pause;
            until = null;
            endSlice();
            current = guest;
            notifyAll();
        }
        if (pause && current != null) {
            current.park(true);
        }
    }

    /**
     * Ends a slice under way and lets the guest go before the session thread is released (the caller holds the
     * commands' lock, so nothing parks it between): the migration never moves on while its guest is parked.
     */
    private void unparkBeforeRelease() {
        SteppedGuest current;
        synchronized (this) {
            endSlice();
            current = guest;
        }
        if (current != null) {
            current.park(false);
        }
    }

    /**
     * Lets the parked guest run one slice, when the migration is paused and held before a pre-copy round;
     * otherwise nothing. The guest is unparked only once the slice's end is armed, and its end (on the vCPU
     * thread) parks it again unless a command or the migration's end came meanwhile.
     */
    private void slice() {
        SteppedGuest current;
        long generation;
        CompletableFuture<Long> done;
        synchronized (this) {
            if (!paused || guest == null || waitingAt != Step.PRECOPY_ROUND
                    || lastSlice != null && !lastSlice.isDone()) {
                return;
            }
            current = guest;
            generation = ++sliceGeneration;
            done = new CompletableFuture<>();
            lastSlice = done;
        }
        // Outside this monitor: a threshold's action runs under the guest's lock of its thresholds and then takes
        // this monitor (sliceEnded), so this thread must not take the guest's lock while it holds this monitor.
        long end = current.progressUnits() + sliceUnits;
        current.progressReached(end).thenRun(() -> sliceEnded(generation, current, done));
        current.ended().thenRun(() -> sliceEnded(generation, null, done)); // a guest that ends within its slice
        current.park(false);
    }

    /** On the vCPU thread as the slice's end is reported: parks the guest there, unless the slice was ended. */
    private void sliceEnded(long generation, SteppedGuest parkHere, CompletableFuture<Long> done) {
        synchronized (this) {
            if (generation != sliceGeneration || done.isDone()) {
                return;
            }
            if (parkHere != null) {
                parkHere.park(true);
            }
            slices++;
            notifyAll();
        }
        done.complete(parkHere == null ? -1 : parkHere.progressUnits());
    }

    /** A command or the migration's end comes: a slice under way is over (cancelled), its end will do nothing. */
    private void endSlice() {
        sliceGeneration++;
        if (lastSlice != null && !lastSlice.isDone()) {
            lastSlice.cancel(false);
        }
    }

    public synchronized boolean paused() {
        return paused;
    }

    /** The step point the session thread is held at, or null when it is not held. */
    public synchronized Step waitingAt() {
        return waitingAt;
    }

    /** Step points passed so far. */
    public synchronized long passed() {
        return passed;
    }

    /** The units of progress one guest slice lets the guest make. */
    public long sliceUnits() {
        return sliceUnits;
    }

    /** Guest slices taken to their end so far. */
    public synchronized long slices() {
        return slices;
    }

    /**
     * The latest guest slice: completes with the guest's progress once it is parked again at the slice's end
     * (-1 if the guest ended within it); cancelled when a command or the migration's end came first; null
     * before any slice was taken.
     */
    public synchronized CompletableFuture<Long> lastSlice() {
        return lastSlice;
    }

    /** Waits (bounded) until the session thread is held at some step point; for tests. */
    public synchronized Step awaitHeld(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (waitingAt == null) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        return waitingAt;
    }
}
