package org.migrationlab.migration.step;

import java.util.EnumMap;
import java.util.Map;

/**
 * The gate of step mode: running, it lets every step point through; paused, it holds the session thread at
 * the next step point until a user advances: "advance to the next X" lets the migration run on until it
 * takes the next step of kind X (the next pre-copy round, prepaging batch or network fault), and holds it at
 * the point after that. Thread-safe: commands come from any thread (a web view's event loop), {@link #pass}
 * is called by the session thread.
 */
public final class Stepper implements StepGate {
    private boolean paused;
    private Step until; // while paused: run on until a step of this kind is taken; null: hold
    private Step waitingAt;
    private long passed;

    public Stepper(boolean startPaused) {
        this.paused = startPaused;
    }

    @Override
    public synchronized void pass(Step point) throws InterruptedException {
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

    public synchronized void command(StepCommand command) {
        switch (command) {
            case StepCommand.Run run -> {
                paused = false;
                until = null;
            }
            case StepCommand.Pause pause -> {
                paused = true;
                until = null;
            }
            case StepCommand.Advance advance -> {
                if (paused) {
                    until = advance.step();
                }
            }
        }
        notifyAll();
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
