package org.migrationlab.emulator.memory;

import org.migrationlab.emulator.port.DirtyLogMode;

import org.migrationlab.emulator.port.PageBitmap;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * Guest RAM together with the host's page table over it and the state of every page. Keeps the three
 * consistent: a page is mapped in the page table exactly when its state is {@link PageState#PRESENT},
 * and every change that narrows access is followed by a real TLB flush.
 *
 * <p>Threading: owned by the vCPU thread (the page table is read by the engine while the guest runs).
 * Page contents may be read from other threads through {@link #ram()}.
 */
public final class MemoryMap implements AutoCloseable {
    private final GuestMemory ram;
    private final PageTable pageTable;
    private final byte[] states;
    /**
     * Pages in each state, kept with {@link #states}: the switch-over asks for the ballooned pages, and a scan
     * of every page ran in a fresh process's interpreter (1.4–1.9 ms for 65,536 pages, inside the downtime)
     * while a guest without a balloon has none to find.
     */
    private final long[] counts = new long[PageState.VALUES.length];
    private final DirtyLog dirtyLog;
    private TlbFlush tlbFlush = () -> { };

    public MemoryMap(long ramBytes, PageState initial) {
        this(new GuestMemory(ramBytes), initial);
    }

    /** Over RAM the caller allocated (a file mapping, say), which this map then owns and closes. */
    public MemoryMap(GuestMemory ram, PageState initial) {
        long ramBytes = ram.sizeBytes();
        if (initial == PageState.GUARD) {
            ram.close();
            throw new IllegalArgumentException("pages start PRESENT, ABSENT or BALLOONED");
        }
        this.ram = ram;
        this.pageTable = new PageTable(ramBytes);
        this.states = new byte[Math.toIntExact(ram.pageCount())];
        // One fill, not a call per page: a destination builds its map after GUEST_CONFIG, in a fresh process's
        // interpreter, while the source's guest may already be paused for post-copy.
        Arrays.fill(states, (byte) initial.ordinal());
        counts[initial.ordinal()] = states.length;
        this.dirtyLog = new DirtyLog(this);
        if (initial == PageState.PRESENT) {
            for (long page = 0; page < ram.pageCount(); page++) {
                pageTable.mapUntouched(page);
            }
        }
        setState(0, PageState.GUARD);
        pageTable.unmap(0);
    }

    /** Wires in the engine's TLB flush once the engine exists. */
    public void useTlbFlush(TlbFlush flush) {
        this.tlbFlush = Objects.requireNonNull(flush);
    }

    public GuestMemory ram() {
        return ram;
    }

    public PageTable pageTable() {
        return pageTable;
    }

    public DirtyLog dirtyLog() {
        return dirtyLog;
    }

    public long pageCount() {
        return ram.pageCount();
    }

    public PageState state(long page) {
        return PageState.VALUES[states[(int) page]];
    }

    private void setState(long page, PageState state) {
        counts[states[(int) page]]--;
        states[(int) page] = (byte) state.ordinal();
        counts[state.ordinal()]++;
    }

    public long countPages(PageState state) {
        return counts[state.ordinal()];
    }

    /** Makes a present or absent page present with the given contents (4 KiB from {@code source}). */
    public void install(long page, MemorySegment source, long sourceOffset) {
        requireNotGuard(page);
        ram.writePage(page, source, sourceOffset);
        map(page);
    }

    /** Makes an absent page present as a page of zeros. */
    public void installZero(long page) {
        requireNotGuard(page);
        ram.zeroPage(page);
        map(page);
    }

    /** Makes an absent page present with whatever RAM already holds (e.g. a page filled earlier). */
    public void map(long page) {
        requireNotGuard(page);
        // Absent -> present widens access: no flush needed. Under write-protect logging the page starts
        // read-only so that its first write is seen.
        pageTable.map(page, !dirtyLog.isWriteProtecting());
        if (dirtyLog.mode() == DirtyLogMode.DIRTY_BIT) {
            pageTable.clearDirty(page);
        }
        setState(page, PageState.PRESENT);
    }

    /** The pages in {@code state} now (vCPU thread, or while the guest is paused). */
    public PageBitmap pagesIn(PageState state) {
        PageBitmap pages = new PageBitmap(pageCount());
        if (counts[state.ordinal()] == 0) {
            return pages;
        }
        byte wanted = (byte) state.ordinal();
        for (int page = 0; page < states.length; page++) {
            if (states[page] == wanted) {
                pages.set(page);
            }
        }
        return pages;
    }

    /** Makes pages [from, to) absent; their contents stay in RAM until overwritten. Flushes the TLB. */
    public void makeAbsent(long fromPage, long toPage) {
        for (long page = Math.max(1, fromPage); page < toPage; page++) {
            if (state(page) == PageState.PRESENT) {
                pageTable.unmap(page);
                setState(page, PageState.ABSENT);
            }
        }
        tlbFlush.flush();
    }

    /** Makes every present page of {@code pages} absent, with one TLB flush for all of them. */
    public void makeAbsent(PageBitmap pages) {
        pages.forEach(page -> {
            if (page > 0 && state(page) == PageState.PRESENT) {
                pageTable.unmap(page);
                setState(page, PageState.ABSENT);
            }
        });
        tlbFlush.flush();
    }

    /** Marks pages ballooned: unmapped, contents discarded. The caller flushes with {@link #flushTlb()}. */
    public void balloon(long page) {
        requireNotGuard(page);
        if (mayHoldData(page)) {
            ram.zeroPage(page); // a page nobody touched is zero already: writing would only fault host memory in
        }
        pageTable.unmap(page);
        setState(page, PageState.BALLOONED);
    }

    /**
     * Marks a page ballooned whose RAM the caller knows to be all zero (a migration destination's page
     * that never received data): like {@link #balloon}, without writing the page, so the host never
     * allocates it. The caller flushes with {@link #flushTlb()}.
     */
    public void balloonZeroed(long page) {
        requireNotGuard(page);
        if (state(page) != PageState.ABSENT) {
            pageTable.unmap(page); // an absent page has no mapping already
        }
        setState(page, PageState.BALLOONED);
    }

    /** Gives a ballooned page back to the guest as a page of zeros. */
    public void deflate(long page) {
        if (state(page) != PageState.BALLOONED) {
            throw new IllegalStateException("page " + page + " is " + state(page) + ", not ballooned");
        }
        map(page);
    }

    /**
     * Records that the host (a device) wrote guest RAM directly, bypassing the page table, so that dirty
     * logging still reports those pages.
     */
    public void noteHostWrite(long gpa, long length) {
        if (length <= 0) {
            return;
        }
        for (long page = gpa >>> GuestMemory.PAGE_SHIFT; page <= (gpa + length - 1) >>> GuestMemory.PAGE_SHIFT; page++) {
            pageTable.markAccessed(page);
            if (dirtyLog.isActive()) {
                dirtyLog.logHostWrite(page);
            }
        }
    }

    /**
     * False only for a present page that neither the guest nor the host has ever touched, whose bytes
     * are therefore all zero without reading them (reading never-touched host memory costs a host page
     * fault per page). Any thread; a page touched concurrently is caught by dirty logging.
     */
    public boolean mayHoldData(long page) {
        return state(page) != PageState.PRESENT || pageTable.isAccessed(page);
    }

    public void flushTlb() {
        tlbFlush.flush();
    }

    /** A page fault was a write to a present, write-protected page: logs it if dirty logging did it. */
    boolean isWriteProtected(long page) {
        return state(page) == PageState.PRESENT && !pageTable.isWritable(page);
    }

    private void requireNotGuard(long page) {
        if (!ram.containsPage(page)) {
            throw new IndexOutOfBoundsException("page " + page + " outside RAM of " + ram.pageCount() + " pages");
        }
        if (page == 0) {
            throw new IllegalArgumentException("page 0 is the null guard and is never mapped");
        }
    }

    /** 64-bit hash of all of RAM (see {@link MemoryHash}). */
    public long hash() {
        return MemoryHash.of(ram);
    }

    @Override
    public void close() {
        try {
            pageTable.close();
        } finally {
            ram.close();
        }
    }
}
