package org.migrationlab.migration.postcopy;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Pages handed to a channel, shared by every sending path (demand, push, prepage) so nothing is sent twice.
 * Thread-safe: one bit per page in an {@link AtomicLongArray}, set by compare-and-set, never cleared.
 *
 * <p>Mark a page only when it is really handed to a channel, and send it whenever {@link #markSent}
 * returned true (DESIGN §5.3: a page marked but not sent is never sent, and a later fault on it hangs the
 * guest).
 */
public final class SentPages {
    private static final int WORD_SHIFT = 6;

    private final long pageCount;
    private final AtomicLongArray words;
    private final AtomicLong sentCount = new AtomicLong();

    public SentPages(long pageCount) {
        if (pageCount < 0) {
            throw new IllegalArgumentException("page count must be >= 0: " + pageCount);
        }
        long wordCount = (pageCount + 63) >>> WORD_SHIFT;
        if (wordCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many pages for one bitmap: " + pageCount);
        }
        this.pageCount = pageCount;
        this.words = new AtomicLongArray((int) wordCount);
    }

    public long pageCount() {
        return pageCount;
    }

    /** Atomically marks the page sent; true if this call marked it (the caller must then really send it). */
    public boolean markSent(long page) {
        Objects.checkIndex(page, pageCount);
        int word = (int) (page >>> WORD_SHIFT);
        long bit = 1L << page;
        while (true) {
            long old = words.get(word);
            if ((old & bit) != 0) {
                return false;
            }
            if (words.compareAndSet(word, old, old | bit)) {
                sentCount.incrementAndGet();
                return true;
            }
        }
    }

    /**
     * Marks every page of {@code [from, to)} sent, a word at a time (pages already at the destination
     * when post-copy starts); returns how many this call marked.
     */
    public long markSentRange(long from, long to) {
        Objects.checkFromToIndex(from, to, pageCount);
        long marked = 0;
        long page = from;
        while (page < to) {
            int word = (int) (page >>> WORD_SHIFT);
            long end = Math.min(to, ((long) word + 1) << WORD_SHIFT);
            long bits = (end - page == 64 ? -1L : ((1L << (end - page)) - 1)) << page;
            long old = words.getAndAccumulate(word, bits, (w, b) -> w | b);
            marked += Long.bitCount(bits & ~old);
            page = end;
        }
        sentCount.addAndGet(marked);
        return marked;
    }

    public boolean isSent(long page) {
        Objects.checkIndex(page, pageCount);
        return (words.get((int) (page >>> WORD_SHIFT)) & (1L << page)) != 0;
    }

    /** Pages marked so far. Counted just after each successful mark, so it may briefly trail the bitmap. */
    public long sentCount() {
        return sentCount.get();
    }

    public boolean allSent() {
        return sentCount.get() == pageCount;
    }

    /** The first unsent page at or after from, or -1. A negative from starts at page 0. */
    public long nextUnsent(long from) {
        long start = Math.max(from, 0);
        if (start >= pageCount) {
            return -1;
        }
        int word = (int) (start >>> WORD_SHIFT);
        long unsent = ~words.get(word) & (-1L << start);
        while (unsent == 0) {
            if (++word == words.length()) {
                return -1;
            }
            unsent = ~words.get(word);
        }
        long page = ((long) word << WORD_SHIFT) + Long.numberOfTrailingZeros(unsent);
        return page < pageCount ? page : -1;
    }

    /** The last unsent page at or before from, or -1. A from past the last page starts at the last page. */
    public long previousUnsent(long from) {
        long start = Math.min(from, pageCount - 1);
        if (start < 0) {
            return -1;
        }
        int word = (int) (start >>> WORD_SHIFT);
        long unsent = ~words.get(word) & (-1L >>> (63 - (start & 63)));
        while (unsent == 0) {
            if (--word < 0) {
                return -1;
            }
            unsent = ~words.get(word);
        }
        return ((long) word << WORD_SHIFT) + 63 - Long.numberOfLeadingZeros(unsent);
    }

    @Override
    public String toString() {
        return "SentPages[" + sentCount() + " of " + pageCount + "]";
    }
}
