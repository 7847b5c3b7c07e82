package org.migrationlab.migration.journal;

import java.util.concurrent.TimeUnit;

/**
 * Holds a process's background disk flushes ({@link BackgroundForce}) back while its migration switches over.
 * What the switch-over writes is in the page cache at once, so a process death loses nothing; the disk flush
 * only adds survival of the machine's crash. Started at once, that flush commits the file system's journal
 * while the switch-over goes on, and every write that must wait for the commit then waits with the guest
 * stopped: the source's next write, and, on the same machine, the destination's own journal entry (whose write
 * fault on its mapped journal waited about 4 ms for it). Held, the flush begins once the switch-over is over,
 * and at the latest {@link #MAX_HOLD_MILLIS} after it was held, should nobody release it.
 */
public final class FlushGate {
    /** How long a hold may delay a flush at most: longer than any switch-over, short against a machine crash. */
    public static final long MAX_HOLD_MILLIS = 1_000;

    private boolean held;
    private long heldSinceNanos;

    /** Flushes requested from now on wait until {@link #release}, or {@link #MAX_HOLD_MILLIS}. */
    public synchronized void hold() {
        held = true;
        heldSinceNanos = System.nanoTime();
    }

    /** The switch-over is over: held flushes start. */
    public synchronized void release() {
        held = false;
        notifyAll();
    }

    /** Returns once the gate is open, or once it was held for {@link #MAX_HOLD_MILLIS}. */
    synchronized void awaitOpen() throws InterruptedException {
        long deadline = heldSinceNanos + TimeUnit.MILLISECONDS.toNanos(MAX_HOLD_MILLIS);
        while (held) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
