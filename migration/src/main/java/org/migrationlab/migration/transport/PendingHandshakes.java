package org.migrationlab.migration.transport;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many of a listener's connections have not finished their handshake, bounded: a connection beyond
 * the bound is closed at once, so peers that prove nothing cannot tie up more than a few connections
 * (each also bounded in time and in frame size). Thread-safe; shared by a listener's channels.
 */
final class PendingHandshakes {
    private final int max;
    private final AtomicInteger pending = new AtomicInteger();

    PendingHandshakes(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one pending handshake: " + max);
        }
        this.max = max;
    }

    /** An unlimited count, for connections this end opens itself. */
    static PendingHandshakes unlimited() {
        return new PendingHandshakes(Integer.MAX_VALUE);
    }

    boolean tryAcquire() {
        while (true) {
            int now = pending.get();
            if (now >= max) {
                return false;
            }
            if (pending.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        pending.decrementAndGet();
    }

    int pending() {
        return pending.get();
    }

    int max() {
        return max;
    }
}
