package org.migrationlab.emulator.port;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A set of page numbers in {@code [0, pageCount)} that any thread may read and add to: one bit per page
 * in an {@link AtomicLongArray}, set by compare-and-set, never cleared. The one concurrent page set of
 * the project (pages sent, pages pending, arrived, requested, filled): {@link #add} tells exactly one
 * caller that it added a page, which is what exactly-once sending and arrival rest on.
 */
public final class ConcurrentPageBitmap {
    private final long pageCount;
    private final AtomicLongArray words;

    public ConcurrentPageBitmap(long pageCount) {
        if (pageCount < 0 || (pageCount + 63) >>> 6 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("page count " + pageCount);
        }
        this.pageCount = pageCount;
        this.words = new AtomicLongArray((int) ((pageCount + 63) >>> 6));
    }

    /** A concurrent copy of {@code pages}. */
    public static ConcurrentPageBitmap of(PageBitmap pages) {
        ConcurrentPageBitmap bitmap = new ConcurrentPageBitmap(pages.pageCount());
        pages.forEach(bitmap::add);
        return bitmap;
    }

    public long pageCount() {
        return pageCount;
    }

    /** Adds the page; true if this call added it (false: it was in the set already). */
    public boolean add(long page) {
        Objects.checkIndex(page, pageCount);
        int index = (int) (page >>> 6);
        long bit = 1L << page;
        while (true) {
            long word = words.get(index);
            if ((word & bit) != 0) {
                return false;
            }
            if (words.compareAndSet(index, word, word | bit)) {
                return true;
            }
        }
    }

    /** Adds every page of {@code [from, to)}, a word at a time; returns how many this call added. */
    public long addRange(long from, long to) {
        Objects.checkFromToIndex(from, to, pageCount);
        long added = 0;
        long page = from;
        while (page < to) {
            int index = (int) (page >>> 6);
            long end = Math.min(to, ((long) index + 1) << 6);
            long bits = (end - page == 64 ? -1L : ((1L << (end - page)) - 1)) << page;
            long old = words.getAndAccumulate(index, bits, (w, b) -> w | b);
            added += Long.bitCount(bits & ~old);
            page = end;
        }
        return added;
    }

    /** Removes the page; true if this call removed it (false: it was not in the set). */
    public boolean remove(long page) {
        Objects.checkIndex(page, pageCount);
        int index = (int) (page >>> 6);
        long bit = 1L << page;
        while (true) {
            long word = words.get(index);
            if ((word & bit) == 0) {
                return false;
            }
            if (words.compareAndSet(index, word, word & ~bit)) {
                return true;
            }
        }
    }

    public boolean contains(long page) {
        Objects.checkIndex(page, pageCount);
        return (words.get((int) (page >>> 6)) & (1L << page)) != 0;
    }

    /** The first page at or after {@code from} not in the set, or -1. A negative from starts at 0. */
    public long nextAbsent(long from) {
        long start = Math.max(from, 0);
        if (start >= pageCount) {
            return -1;
        }
        int index = (int) (start >>> 6);
        long absent = ~words.get(index) & (-1L << start);
        while (absent == 0) {
            if (++index == words.length()) {
                return -1;
            }
            absent = ~words.get(index);
        }
        long page = ((long) index << 6) + Long.numberOfTrailingZeros(absent);
        return page < pageCount ? page : -1;
    }

    /** The last page at or before {@code from} not in the set, or -1. A from past the end starts at the last page. */
    public long previousAbsent(long from) {
        long start = Math.min(from, pageCount - 1);
        if (start < 0) {
            return -1;
        }
        int index = (int) (start >>> 6);
        long absent = ~words.get(index) & (-1L >>> (63 - (start & 63)));
        while (absent == 0) {
            if (--index < 0) {
                return -1;
            }
            absent = ~words.get(index);
        }
        return ((long) index << 6) + 63 - Long.numberOfLeadingZeros(absent);
    }

    /** The pages in the set now, as a plain bitmap (a consistent copy only when nobody adds meanwhile). */
    public PageBitmap snapshot() {
        PageBitmap copy = new PageBitmap(pageCount);
        for (int i = 0; i < words.length(); i++) {
            long word = words.get(i);
            while (word != 0) {
                copy.set(((long) i << 6) + Long.numberOfTrailingZeros(word));
                word &= word - 1;
            }
        }
        return copy;
    }

    /** Counts the pages in the set (a scan). */
    public long cardinality() {
        long n = 0;
        for (int i = 0; i < words.length(); i++) {
            n += Long.bitCount(words.get(i));
        }
        return n;
    }

    @Override
    public String toString() {
        return "ConcurrentPageBitmap[" + cardinality() + " of " + pageCount + " pages]";
    }
}
