package org.migrationlab.migration.session;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The destination's view of post-copy pages: which are still to come (fixed at the switch-over), which
 * have arrived (their bytes are in guest RAM, the page still absent until first touch), which were
 * requested. Arrivals come from event loops; the vCPU thread waits for the one page it faulted on.
 */
final class IncomingPages {
    private final long pageCount;
    private final AtomicLongArray pending;
    private final AtomicLongArray arrived;
    private final AtomicLongArray requested;
    private final AtomicLong pendingCount = new AtomicLong();
    private final AtomicLong arrivedCount = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrival = lock.newCondition();
    private volatile long awaited = -1;

    IncomingPages(long pageCount, byte[] pendingBitmap) {
        this.pageCount = pageCount;
        int words = (int) ((pageCount + 63) >>> 6);
        this.pending = new AtomicLongArray(words);
        this.arrived = new AtomicLongArray(words);
        this.requested = new AtomicLongArray(words);
        long count = 0;
        for (int word = 0; word < words; word++) {
            long bits = 0;
            for (int b = 0; b < 8; b++) {
                int index = word * 8 + b;
                if (index < pendingBitmap.length) {
                    bits |= (pendingBitmap[index] & 0xffL) << (8 * b);
                }
            }
            long valid = word == words - 1 && (pageCount & 63) != 0 ? (1L << (pageCount & 63)) - 1 : -1L;
            bits &= valid;
            pending.set(word, bits);
            count += Long.bitCount(bits);
        }
        pendingCount.set(count);
    }

    long pageCount() {
        return pageCount;
    }

    long pendingCount() {
        return pendingCount.get();
    }

    long arrivedCount() {
        return arrivedCount.get();
    }

    boolean allArrived() {
        return arrivedCount.get() == pendingCount.get();
    }

    boolean isPending(long page) {
        return test(pending, page);
    }

    boolean hasArrived(long page) {
        return test(arrived, page);
    }

    /** True the first time the page is requested. */
    boolean markRequested(long page) {
        return set(requested, page);
    }

    /** Records an arrival (bytes already in RAM); false if the page was not pending or already came. */
    boolean arrive(long page) {
        if (!isPending(page) || !set(arrived, page)) {
            return false;
        }
        arrivedCount.incrementAndGet();
        if (awaited == page) {
            lock.lock();
            try {
                arrival.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    /** Waits until the page arrived; false on timeout. For the one vCPU thread. */
    boolean awaitArrival(long page, long timeoutNanos) throws InterruptedException {
        awaited = page;
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            lock.lock();
            try {
                while (!hasArrived(page)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    arrival.awaitNanos(left);
                }
                return true;
            } finally {
                lock.unlock();
            }
        } finally {
            awaited = -1;
        }
    }

    private static boolean test(AtomicLongArray bits, long page) {
        return (bits.get((int) (page >>> 6)) & (1L << (page & 63))) != 0;
    }

    private static boolean set(AtomicLongArray bits, long page) {
        long mask = 1L << (page & 63);
        int index = (int) (page >>> 6);
        while (true) {
            long word = bits.get(index);
            if ((word & mask) != 0) {
                return false;
            }
            if (bits.compareAndSet(index, word, word | mask)) {
                return true;
            }
        }
    }
}
