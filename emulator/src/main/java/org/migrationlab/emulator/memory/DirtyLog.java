package org.migrationlab.emulator.memory;

import org.migrationlab.emulator.port.DirtyLogMode;

import org.migrationlab.emulator.port.PageBitmap;

/**
 * Logs which present pages the guest writes, by write protection or by PTE dirty bits, which the host
 * can do because it owns the page tables (docs/EMULATOR.md, "Host-owned page tables").
 * {@link #start} arms every present page; {@link #harvest} returns the pages written since the last
 * arm and re-arms them. Threading: vCPU thread only.
 */
public final class DirtyLog {
    private final MemoryMap map;
    private DirtyLogMode mode;
    private PageBitmap logged;
    private long writeFaults;

    DirtyLog(MemoryMap map) {
        this.map = map;
    }

    public boolean isActive() {
        return mode != null;
    }

    public DirtyLogMode mode() {
        return mode;
    }

    boolean isWriteProtecting() {
        return mode == DirtyLogMode.WRITE_PROTECT;
    }

    /** Write faults taken by write-protect logging since {@link #start}. */
    public long writeFaults() {
        return writeFaults;
    }

    /** Arms every present page and flushes the TLB. */
    public void start(DirtyLogMode newMode) {
        if (mode != null) {
            throw new IllegalStateException("dirty logging already active (" + mode + ")");
        }
        this.mode = newMode;
        this.logged = new PageBitmap(map.pageCount());
        this.writeFaults = 0;
        rearmAll();
    }

    /** Re-arms every present page (a full PTE rewrite) and flushes; forgets what was logged. */
    public void rearmAll() {
        requireActive();
        PageTable table = map.pageTable();
        if (mode == DirtyLogMode.WRITE_PROTECT) {
            table.clearBitsOfPresent(PageTable.RW);
        } else {
            table.clearBitsOfPresent(PageTable.DIRTY);
        }
        logged.clearAll();
        map.flushTlb();
    }

    /**
     * Called for a write fault on a present page. Returns true when the fault was ours (the page was
     * write-protected for logging): the page is logged and made writable, and the guest may retry.
     */
    public boolean onWriteFault(long page) {
        if (mode != DirtyLogMode.WRITE_PROTECT || !map.isWriteProtected(page)) {
            return false;
        }
        logged.set(page);
        writeFaults++;
        map.pageTable().setWritable(page); // widening access: no flush needed
        return true;
    }

    /** A device wrote the page directly; report it dirty at the next harvest. */
    void logHostWrite(long page) {
        logged.set(page);
    }

    /** Pages written since the last arm; re-arms exactly those pages (plus a TLB flush). */
    public PageBitmap harvest() {
        requireActive();
        PageBitmap dirty = new PageBitmap(map.pageCount());
        harvestInto(dirty);
        return dirty;
    }

    /** Adds the pages written since the last arm to {@code into} and re-arms them. Returns how many were new to {@code into}. */
    public long harvestInto(PageBitmap into) {
        requireActive();
        PageTable table = map.pageTable();
        long before = into.cardinality();
        if (mode == DirtyLogMode.WRITE_PROTECT) {
            logged.forEach(page -> {
                into.set(page);
                if (map.state(page) == PageState.PRESENT) {
                    table.clearWritable(page);
                }
            });
            logged.clearAll();
        } else {
            into.or(logged);
            table.harvestDirtyBits(into);
            logged.clearAll();
        }
        map.flushTlb();
        return into.cardinality() - before;
    }

    /** Forgets a page (e.g. it was ballooned) so it is not reported dirty. */
    public void forget(long page) {
        if (logged != null) {
            logged.clear(page);
        }
    }

    /** Stops logging: every present page becomes writable again. */
    public void stop() {
        requireActive();
        PageTable table = map.pageTable();
        if (mode == DirtyLogMode.WRITE_PROTECT) {
            table.setBitsOfPresent(PageTable.RW);
        } else {
            table.setBitsOfPresent(PageTable.DIRTY);
        }
        mode = null;
        logged = null;
    }

    private void requireActive() {
        if (mode == null) {
            throw new IllegalStateException("dirty logging is not active");
        }
    }
}
