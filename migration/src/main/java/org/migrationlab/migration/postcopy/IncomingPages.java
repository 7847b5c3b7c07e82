package org.migrationlab.migration.postcopy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.migrationlab.emulator.port.ConcurrentPageBitmap;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.progress.ArrivalObserver;

/**
 * The destination's view of post-copy pages: which are still to come (fixed at the switch-over), which
 * have arrived (their bytes are in guest RAM, the page still absent until first touch), which were
 * requested. Arrivals come from event loops; the vCPU thread waits for the one page it faulted on.
 */
public final class IncomingPages {
    private final PageBitmap pending;
    private final long pendingCount;
    private final ConcurrentPageBitmap claimed;
    private final ConcurrentPageBitmap arrived;
    private final ConcurrentPageBitmap requested;
    private final AtomicLong arrivedCount = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrival = lock.newCondition();
    private volatile long awaited = -1;
    /** When the page the vCPU waits for was read and installed; written before the page counts as arrived. */
    private volatile ArrivalTimes awaitedArrival;
    private volatile boolean abandoned;
    private final ArrivalObserver observer;

    /**
     * When the awaited page's copy was read from its connection and when its bytes were in RAM (nanoTime):
     * what the fault-latency breakdown needs from the event loop.
     */
    public record ArrivalTimes(long page, long readNanos, long installedNanos) {
    }

    /** @param pending the pages still to come; read-only from here on */
    public IncomingPages(PageBitmap pending) {
        this(pending, ArrivalObserver.NONE);
    }

    /**
     * @param pending the pages still to come; read-only from here on
     * @param observer told of every arrival, for a live view of the destination's memory
     */
    public IncomingPages(PageBitmap pending, ArrivalObserver observer) {
        this.observer = java.util.Objects.requireNonNull(observer, "observer");
        this.pending = pending.copy();
        this.pendingCount = pending.cardinality();
        this.claimed = new ConcurrentPageBitmap(pending.pageCount());
        this.arrived = new ConcurrentPageBitmap(pending.pageCount());
        this.requested = new ConcurrentPageBitmap(pending.pageCount());
    }

    public long pageCount() {
        return pending.pageCount();
    }

    public long pendingCount() {
        return pendingCount;
    }

    public long arrivedCount() {
        return arrivedCount.get();
    }

    public boolean allArrived() {
        return arrivedCount.get() == pendingCount;
    }

    public boolean isPending(long page) {
        return page >= 0 && page < pending.pageCount() && pending.get(page);
    }

    public boolean hasArrived(long page) {
        return arrived.contains(page);
    }

    /** True the first time the page is requested. */
    public boolean markRequested(long page) {
        return requested.add(page);
    }

    /**
     * Claims a pending page for the one copy that will be written into it: true exactly once per page,
     * whichever channel's copy comes first. A copy that finds its page claimed is a duplicate and must not
     * touch the page: the first may still be being written, or already mapped and in use by the guest.
     */
    public boolean claim(long page) {
        return isPending(page) && claimed.add(page);
    }

    /**
     * Gives up the claim of a copy that turned out damaged (its checksum failed): the page is still to come,
     * and the next copy may claim it.
     */
    public void unclaim(long page) {
        if (isPending(page) && !arrived.contains(page)) {
            claimed.remove(page);
        }
    }

    /**
     * Records an arrival (bytes already in RAM) of a page this caller {@linkplain #claim claimed}; false if
     * the page was not claimed or already came.
     */
    public boolean arrive(long page) {
        return arrive(page, System.nanoTime());
    }

    /**
     * Like {@link #arrive(long)}, for a copy read from its connection at {@code readNanos}: if the vCPU
     * waits for this page, the times are kept for its fault's breakdown (set before the page counts as
     * arrived, so a vCPU that sees it arrived sees them too).
     */
    public boolean arrive(long page, long readNanos) {
        if (!isPending(page) || !claimed.contains(page) || arrived.contains(page)) {
            return false;
        }
        if (awaited == page) {
            awaitedArrival = new ArrivalTimes(page, readNanos, System.nanoTime());
        }
        if (!arrived.add(page)) {
            return false;
        }
        arrivedCount.incrementAndGet();
        observer.arrived(page);
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

    /**
     * The pages this destination holds: every page not pending at the switch-over, and every pending page
     * that arrived. What a post-copy recovery tells the source (PROTOCOL §5.6).
     */
    public PageBitmap receivedBitmap() {
        PageBitmap received = new PageBitmap(pending.pageCount());
        received.setRange(0, pending.pageCount());
        received.andNot(pending);
        received.or(arrived.snapshot());
        return received;
    }

    /**
     * The vCPU is about to request {@code page} and wait for it: its arrival's times are kept from now on.
     * For the one vCPU thread.
     */
    public void expect(long page) {
        awaited = page;
    }

    /** The read and install times of {@code page}, if it arrived while {@linkplain #expect expected}; else null. */
    public ArrivalTimes arrivalTimes(long page) {
        ArrivalTimes times = awaitedArrival;
        return times != null && times.page() == page ? times : null;
    }

    /** Waits until the page arrived; false on timeout. For the one vCPU thread. */
    public boolean awaitArrival(long page, long timeoutNanos) throws InterruptedException {
        awaited = page;
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            lock.lock();
            try {
                while (!hasArrived(page)) {
                    if (abandoned) {
                        return false;
                    }
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

    /**
     * The migration failed: no page will arrive any more. Wakes a vCPU waiting for a page at once (its
     * wait fails) rather than at the end of its timeout.
     */
    public void abandon() {
        abandoned = true;
        lock.lock();
        try {
            arrival.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #abandon} was called. */
    public boolean abandoned() {
        return abandoned;
    }
}
