package org.migrationlab.emulator.port;

import java.util.Arrays;
import java.util.function.LongConsumer;

/** A set of page numbers in {@code [0, pageCount)} as one bit per page. Not thread-safe. */
public final class PageBitmap {
    private final long pageCount;
    private final long[] words;

    public PageBitmap(long pageCount) {
        if (pageCount < 0 || pageCount > (long) Integer.MAX_VALUE * 64) {
            throw new IllegalArgumentException("page count " + pageCount);
        }
        this.pageCount = pageCount;
        this.words = new long[(int) ((pageCount + 63) >>> 6)];
    }

    public long pageCount() {
        return pageCount;
    }

    public void set(long page) {
        words[(int) (page >>> 6)] |= 1L << page;
    }

    public void clear(long page) {
        words[(int) (page >>> 6)] &= ~(1L << page);
    }

    public boolean get(long page) {
        return (words[(int) (page >>> 6)] & (1L << page)) != 0;
    }

    public void setRange(long fromInclusive, long toExclusive) {
        long p = fromInclusive;
        for (; p < toExclusive && (p & 63) != 0; p++) {
            set(p);
        }
        for (; p + 64 <= toExclusive; p += 64) {
            words[(int) (p >>> 6)] = -1L; // whole words at once
        }
        for (; p < toExclusive; p++) {
            set(p);
        }
    }

    /** The set as bytes, bit {@code p} of the result = page {@code p} (little-endian, ceil(pages / 8) bytes). */
    public byte[] toByteArray() {
        byte[] bytes = new byte[(int) ((pageCount + 7) >>> 3)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (words[i >>> 3] >>> ((i & 7) * 8));
        }
        return bytes;
    }

    /**
     * The bitmap {@link #toByteArray()} wrote: bit p % 8 of byte p / 8 is page p. The length must be
     * exactly ceil(pageCount / 8) bytes and no bit beyond the last page may be set.
     */
    public static PageBitmap fromByteArray(byte[] bytes, long pageCount) {
        if (bytes.length != (pageCount + 7) >>> 3) {
            throw new IllegalArgumentException("a bitmap of " + bytes.length + " bytes for " + pageCount + " pages");
        }
        PageBitmap bitmap = new PageBitmap(pageCount);
        for (int i = 0; i < bytes.length; i++) {
            bitmap.words[i >>> 3] |= (bytes[i] & 0xffL) << ((i & 7) * 8);
        }
        long tail = pageCount & 63;
        if (tail != 0 && bitmap.words.length > 0 && (bitmap.words[bitmap.words.length - 1] >>> tail) != 0) {
            throw new IllegalArgumentException("the bitmap marks pages beyond the last of " + pageCount);
        }
        return bitmap;
    }

    public void clearAll() {
        Arrays.fill(words, 0L);
    }

    public long cardinality() {
        long n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    public boolean isEmpty() {
        for (long w : words) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /** The first set page at or after {@code from}, or -1. */
    public long nextSetBit(long from) {
        return next(from, 0);
    }

    /** The first page at or after {@code from} that is not in the set, or -1. */
    public long nextClearBit(long from) {
        return next(from, -1L);
    }

    /** The first page at or after {@code from} whose bit differs from the bits of {@code flip}, or -1. */
    private long next(long from, long flip) {
        if (from >= pageCount) {
            return -1;
        }
        int index = (int) (from >>> 6);
        long word = (words[index] ^ flip) & (-1L << from);
        while (true) {
            if (word != 0) {
                long page = ((long) index << 6) + Long.numberOfTrailingZeros(word);
                return page < pageCount ? page : -1;
            }
            if (++index == words.length) {
                return -1;
            }
            word = words[index] ^ flip;
        }
    }

    /** Whether a page is in both sets (same size). */
    public boolean intersects(PageBitmap other) {
        requireSameSize(other);
        for (int i = 0; i < words.length; i++) {
            if ((words[i] & other.words[i]) != 0) {
                return true;
            }
        }
        return false;
    }

    public void forEach(LongConsumer action) {
        for (int i = 0; i < words.length; i++) {
            long word = words[i];
            while (word != 0) {
                action.accept(((long) i << 6) + Long.numberOfTrailingZeros(word));
                word &= word - 1;
            }
        }
    }

    /** Adds every page of {@code other} (same size) to this set. */
    public void or(PageBitmap other) {
        requireSameSize(other);
        for (int i = 0; i < words.length; i++) {
            words[i] |= other.words[i];
        }
    }

    /** Keeps only the pages that are in {@code other} (same size) too. */
    public void and(PageBitmap other) {
        requireSameSize(other);
        for (int i = 0; i < words.length; i++) {
            words[i] &= other.words[i];
        }
    }

    /** Removes every page of {@code other} (same size) from this set. */
    public void andNot(PageBitmap other) {
        requireSameSize(other);
        for (int i = 0; i < words.length; i++) {
            words[i] &= ~other.words[i];
        }
    }

    public PageBitmap copy() {
        PageBitmap copy = new PageBitmap(pageCount);
        System.arraycopy(words, 0, copy.words, 0, words.length);
        return copy;
    }

    private void requireSameSize(PageBitmap other) {
        if (other.pageCount != pageCount) {
            throw new IllegalArgumentException("bitmaps of " + pageCount + " and " + other.pageCount + " pages");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageBitmap b && b.pageCount == pageCount && Arrays.equals(b.words, words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "PageBitmap[" + cardinality() + " of " + pageCount + " pages]";
    }
}
