package org.migrationlab.vmm.web;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import org.migrationlab.migration.progress.PageObserver;
import org.migrationlab.migration.protocol.SendReason;

/**
 * The source's guest memory as the view sees it: one {@link CellState} byte per page, and a bitmap of the
 * pages changed since the last drain. Written by the engine's sending threads through the observer port
 * without allocating or queueing; read by the view's ticker, which takes the changed words and clears
 * them. Memory is fixed (a byte and a bit per page) whatever the migration's rate.
 */
public final class PageMap implements PageObserver {
    private static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final byte[] states;
    private final long[] changed;
    private final AtomicLong pivots = new AtomicLong();
    private volatile long lastPivot = -1;

    public PageMap(long pageCount) {
        if (pageCount < 0 || pageCount > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("page count out of range: " + pageCount);
        }
        this.states = new byte[(int) pageCount];
        this.changed = new long[(int) ((pageCount + 63) >>> 6)];
    }

    public int pageCount() {
        return states.length;
    }

    @Override
    public void sent(long page, SendReason reason, int round, boolean zero) {
        set(page, CellState.sent(reason, round, zero));
    }

    @Override
    public void dirtied(long page) {
        set(page, CellState.DIRTIED);
    }

    @Override
    public void ballooned(long page) {
        set(page, CellState.BALLOONED);
    }

    @Override
    public void pivot(long page) {
        lastPivot = page;
        pivots.incrementAndGet();
    }

    /** The page of the last network fault the push took as its pivot, or -1. */
    public long lastPivot() {
        return lastPivot;
    }

    public long pivots() {
        return pivots.get();
    }

    public byte state(int page) {
        return (byte) BYTES.getVolatile(states, page);
    }

    /** Sets the page's state, for the destination's map, which writes its own states through this one. */
    void set(long page, byte state) {
        int p = (int) page;
        BYTES.setVolatile(states, p, state);
        markChanged(p);
    }

    /** Sets the page's state only if it is {@code expected}; true if it did. */
    boolean setIf(long page, byte expected, byte state) {
        int p = (int) page;
        if (!BYTES.compareAndSet(states, p, expected, state)) {
            return false;
        }
        markChanged(p);
        return true;
    }

    private void markChanged(int p) {
        long bit = 1L << p;
        int word = p >>> 6;
        // Always a volatile read-modify-write after the state: whoever clears the bit then sees the state.
        // Skipping it when the bit looks set could lose a change to a drain running at that moment.
        WORDS.getAndBitwiseOr(changed, word, bit);
    }

    /** Receives one word of changed pages: pages {@code 64 * word + i} for each bit i set in {@code bits}. */
    @FunctionalInterface
    public interface ChangedWords {
        void word(int word, long bits);
    }

    /** Hands every word with a changed page to {@code into} and clears it; returns how many pages changed. */
    public int drainChanged(ChangedWords into) {
        int pages = 0;
        for (int w = 0; w < changed.length; w++) {
            if ((long) WORDS.getOpaque(changed, w) == 0) {
                continue;
            }
            long bits = (long) WORDS.getAndSet(changed, w, 0L);
            if (bits != 0) {
                pages += Long.bitCount(bits);
                into.word(w, bits);
            }
        }
        return pages;
    }

    /** How many pages are in each state now (index: the state's unsigned byte). */
    public long[] counts() {
        long[] counts = new long[256];
        for (int p = 0; p < states.length; p++) {
            counts[state(p) & 0xff]++;
        }
        return counts;
    }
}
