package org.migrationlab.migration.pages;

import org.migrationlab.emulator.port.PageBitmap;

import java.util.concurrent.atomic.AtomicLong;

import org.migrationlab.emulator.port.ConcurrentPageBitmap;

/**
 * Pages handed to a channel, shared by every sending path (demand, push, prepage) so nothing is sent
 * twice. Thread-safe: a {@link ConcurrentPageBitmap} plus a count.
 *
 * <p>Mark a page only when it is really handed to a channel, and send it whenever {@link #markSent}
 * returned true: a page marked but never sent is never sent at all, and a later fault on it would wait
 * forever (a trap in the paper's pseudo-code, where a fault that empties the push queue drops pages
 * already marked).
 */
public final class SentPages implements SentView {
    private final ConcurrentPageBitmap sent;
    private final AtomicLong sentCount = new AtomicLong();

    public SentPages(long pageCount) {
        if (pageCount < 0) {
            throw new IllegalArgumentException("page count must be >= 0: " + pageCount);
        }
        this.sent = new ConcurrentPageBitmap(pageCount);
    }

    @Override
    public long pageCount() {
        return sent.pageCount();
    }

    /** Atomically marks the page sent; true if this call marked it (the caller must then really send it). */
    public boolean markSent(long page) {
        if (!sent.add(page)) {
            return false;
        }
        sentCount.incrementAndGet();
        return true;
    }

    /**
     * Marks every page of {@code [from, to)} sent, a word at a time (pages already at the destination
     * when post-copy starts); returns how many this call marked.
     */
    public long markSentRange(long from, long to) {
        long marked = sent.addRange(from, to);
        sentCount.addAndGet(marked);
        return marked;
    }

    /**
     * After a post-copy recovery: unmarks every page marked sent that the destination does not hold (lost
     * in flight with a broken connection), so it is sent once more; returns those pages.
     */
    public PageBitmap unmarkLost(PageBitmap received) {
        PageBitmap lost = new PageBitmap(pageCount());
        for (long page = received.nextClearBit(0); page >= 0 && page < pageCount(); page = received.nextClearBit(page + 1)) {
            if (sent.remove(page)) {
                sentCount.decrementAndGet();
                lost.set(page);
            }
        }
        return lost;
    }

    @Override
    public boolean isSent(long page) {
        return sent.contains(page);
    }

    /** Pages marked so far. Counted just after each successful mark, so it may briefly trail the bitmap. */
    @Override
    public long sentCount() {
        return sentCount.get();
    }

    public boolean allSent() {
        return sentCount.get() == sent.pageCount();
    }

    /** The first unsent page at or after from, or -1. A negative from starts at page 0. */
    @Override
    public long nextUnsent(long from) {
        return sent.nextAbsent(from);
    }

    /** The last unsent page at or before from, or -1. A from past the last page starts at the last page. */
    @Override
    public long previousUnsent(long from) {
        return sent.previousAbsent(from);
    }

    @Override
    public String toString() {
        return "SentPages[" + sentCount() + " of " + pageCount() + "]";
    }
}
