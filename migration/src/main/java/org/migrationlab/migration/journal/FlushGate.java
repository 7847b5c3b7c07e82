package org.migrationlab.migration.journal;

import java.util.concurrent.TimeUnit;

/**
 * Holds a process's background disk flushes ({@link BackgroundForce}) back while its migration switches over.
 * What the switch-over writes is in the page cache at once, so a process death loses nothing; the disk flush
 * only adds survival of the machine's crash. Started at once, that flush commits the file system's journal
 * while the switch-over goes on, and every write that must wait for the commit then waits with the guest
 * stopped: the source's next write, and, on the same machine, the destination's own journal entry (whose write
 * fault on its mapped journal waited about 4 ms for it). Held, the flush begins once the switch-over is over,
 * and at the latest {@link #MAX_HOLD_MILLIS} after it was held, should nobody release it. The source holds it
 * through its checkpoint sink, a destination through its ownership journal (one hold per migration).
 */
public final class FlushGate {
    /** How long a hold may delay a flush at most: longer than any switch-over, short against a machine crash. */
    public static final long MAX_HOLD_MILLIS = 1_000;

    /** Holds not yet released: a daemon's migrations may switch over at the same time, each with its own hold. */
    private int holds;
    private long heldSinceNanos;

    /**
     * Flushes requested from now on wait until every hold is released, or {@link #MAX_HOLD_MILLIS} after the
     * first of the holds in force. Each hold is released once.
     */
    public synchronized void hold() {
        if (holds++ == 0) {
            heldSinceNanos = System.nanoTime();
        }
    }

    /** One switch-over is over: once none is left, held flushes start. */
    public synchronized void release() {
        if (holds == 0) {
            throw new IllegalStateException("released a flush gate that was not held");
        }
        if (--holds == 0) {
            notifyAll();
        }
    }

    /** Whether a switch-over holds the flushes now. */
    public synchronized boolean held() {
        return holds > 0;
    }

    /** Returns once the gate is open, or once it was held for {@link #MAX_HOLD_MILLIS}. */
    synchronized void awaitOpen() throws InterruptedException {
        long deadline = heldSinceNanos + TimeUnit.MILLISECONDS.toNanos(MAX_HOLD_MILLIS);
        while (holds > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
