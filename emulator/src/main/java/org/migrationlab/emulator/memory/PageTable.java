package org.migrationlab.emulator.memory;

import org.migrationlab.emulator.port.PageBitmap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Host-owned x86-64 4-level page tables that identity-map guest RAM with 4 KiB pages, kept in their own
 * segment mapped at guest-physical {@link #BASE_GPA}, far above RAM and outside the guest's virtual
 * space. The RAM page tables are contiguous, so the PTE of page {@code n} is at a fixed offset + 8n.
 *
 * <p>Layout (pages of the segment): PML4, PDPT, PD and PT of the flush stub, the flush stub's code page,
 * one PD per GiB of RAM, one PT per 2 MiB of RAM. Threading: vCPU thread only.
 */
public final class PageTable implements AutoCloseable {
    public static final long BASE_GPA = 0x40_0000_0000L; // 256 GiB
    public static final long MAX_RAM_BYTES = 64L << 30;

    static final long P = 1L;
    static final long RW = 1L << 1;
    static final long ACCESSED = 1L << 5;
    static final long DIRTY = 1L << 6;
    private static final long TABLE_FLAGS = P | RW | ACCESSED;

    private static final int PML4_PAGE = 0;
    private static final int PDPT_PAGE = 1;
    private static final int STUB_PD_PAGE = 2;
    private static final int STUB_PT_PAGE = 3;
    private static final int STUB_CODE_PAGE = 4;
    private static final int FIRST_RAM_PD_PAGE = 5;
    /** {@code mov %cr3,%rax; mov %rax,%cr3}: the only thing that really flushes Unicorn 2.0.1's TLB. */
    private static final byte[] FLUSH_STUB = {0x0f, 0x20, (byte) 0xd8, 0x0f, 0x22, (byte) 0xd8};

    private final AnonymousMapping mapping;
    private final MemorySegment tables;
    private final long ramPages;
    private final long pteBase;

    public PageTable(long ramBytes) {
        if (ramBytes > MAX_RAM_BYTES) {
            throw new IllegalArgumentException("RAM larger than " + (MAX_RAM_BYTES >> 30) + " GiB");
        }
        this.ramPages = ramBytes >>> GuestMemory.PAGE_SHIFT;
        long pds = (ramBytes + (1L << 30) - 1) >>> 30;
        long pts = (ramBytes + (1L << 21) - 1) >>> 21;
        long firstPt = FIRST_RAM_PD_PAGE + pds;
        this.pteBase = firstPt * GuestMemory.PAGE_SIZE;
        this.mapping = new AnonymousMapping((firstPt + pts) * GuestMemory.PAGE_SIZE);
        this.tables = mapping.segment();
        build(pds, pts, firstPt);
    }

    private void build(long pds, long pts, long firstPt) {
        setEntry(PML4_PAGE, 0, gpaOfPage(PDPT_PAGE) | TABLE_FLAGS);
        for (long pd = 0; pd < pds; pd++) {
            setEntry(PDPT_PAGE, pd, gpaOfPage(FIRST_RAM_PD_PAGE + pd) | TABLE_FLAGS);
        }
        for (long pt = 0; pt < pts; pt++) {
            setEntry(FIRST_RAM_PD_PAGE + (pt >>> 9), pt & 511, gpaOfPage(firstPt + pt) | TABLE_FLAGS);
        }
        // The stub page is identity-mapped at its own physical address (PDPT slot 256 = 256 GiB).
        long stub = stubGpa();
        setEntry(PDPT_PAGE, (stub >>> 30) & 511, gpaOfPage(STUB_PD_PAGE) | TABLE_FLAGS);
        setEntry(STUB_PD_PAGE, (stub >>> 21) & 511, gpaOfPage(STUB_PT_PAGE) | TABLE_FLAGS);
        setEntry(STUB_PT_PAGE, (stub >>> 12) & 511, stub | P | ACCESSED);
        MemorySegment.copy(FLUSH_STUB, 0, tables, ValueLayout.JAVA_BYTE,
                (long) STUB_CODE_PAGE * GuestMemory.PAGE_SIZE, FLUSH_STUB.length);
    }

    private static long gpaOfPage(long tablePage) {
        return BASE_GPA + tablePage * GuestMemory.PAGE_SIZE;
    }

    private void setEntry(long tablePage, long index, long value) {
        tables.set(ValueLayout.JAVA_LONG, tablePage * GuestMemory.PAGE_SIZE + index * 8, value);
    }

    /** The segment to map at {@link #BASE_GPA}. */
    public MemorySegment segment() {
        return tables;
    }

    /** The value for CR3. */
    public long root() {
        return gpaOfPage(PML4_PAGE);
    }

    public long stubGpa() {
        return gpaOfPage(STUB_CODE_PAGE);
    }

    public long stubEnd() {
        return stubGpa() + FLUSH_STUB.length;
    }

    public long ramPages() {
        return ramPages;
    }

    long pte(long page) {
        return tables.get(ValueLayout.JAVA_LONG, pteBase + (page << 3));
    }

    void setPte(long page, long value) {
        tables.set(ValueLayout.JAVA_LONG, pteBase + (page << 3), value);
    }

    public boolean isPresent(long page) {
        return (pte(page) & P) != 0;
    }

    public boolean isWritable(long page) {
        return (pte(page) & RW) != 0;
    }

    public boolean isDirty(long page) {
        return (pte(page) & DIRTY) != 0;
    }

    /** Maps the page. The D bit starts set so the walker never stores into PTEs unless logging asks. */
    void map(long page, boolean writable) {
        setPte(page, (page << GuestMemory.PAGE_SHIFT) | P | ACCESSED | DIRTY | (writable ? RW : 0));
    }

    /**
     * Maps a page the guest has not touched yet: no A or D bit, so the page walker sets A on the guest's
     * first access and the host can tell pages that may hold data from pages that are still zero.
     */
    void mapUntouched(long page) {
        setPte(page, (page << GuestMemory.PAGE_SHIFT) | P | RW);
    }

    /** Whether the guest (or the host, see {@link #markAccessed}) ever touched the page. */
    public boolean isAccessed(long page) {
        return (pte(page) & ACCESSED) != 0;
    }

    /** The host wrote the page: it may hold data now. Never narrows access, needs no flush. */
    void markAccessed(long page) {
        long pte = pte(page);
        if ((pte & P) != 0) {
            setPte(page, pte | ACCESSED);
        }
    }

    void unmap(long page) {
        setPte(page, 0);
    }

    void setWritable(long page) {
        setPte(page, pte(page) | RW);
    }

    void clearWritable(long page) {
        setPte(page, pte(page) & ~RW);
    }

    void clearDirty(long page) {
        setPte(page, pte(page) & ~DIRTY);
    }

    /** Clears the given bits in every present RAM PTE, in one pass (the dirty-log re-arm). */
    void clearBitsOfPresent(long bits) {
        long end = pteBase + (ramPages << 3);
        long keep = ~bits;
        for (long offset = pteBase; offset < end; offset += 8) {
            long pte = tables.get(ValueLayout.JAVA_LONG, offset);
            if ((pte & P) != 0) {
                tables.set(ValueLayout.JAVA_LONG, offset, pte & keep);
            }
        }
    }

    /** Sets the given bits in every present RAM PTE. */
    void setBitsOfPresent(long bits) {
        long end = pteBase + (ramPages << 3);
        for (long offset = pteBase; offset < end; offset += 8) {
            long pte = tables.get(ValueLayout.JAVA_LONG, offset);
            if ((pte & P) != 0) {
                tables.set(ValueLayout.JAVA_LONG, offset, pte | bits);
            }
        }
    }

    /** Adds every present page whose PTE has D set to {@code into}, and clears D on them. */
    long harvestDirtyBits(PageBitmap into) {
        long end = pteBase + (ramPages << 3);
        long found = 0;
        long page = 0;
        for (long offset = pteBase; offset < end; offset += 8, page++) {
            long pte = tables.get(ValueLayout.JAVA_LONG, offset);
            if ((pte & (P | DIRTY)) == (P | DIRTY)) {
                tables.set(ValueLayout.JAVA_LONG, offset, pte & ~DIRTY);
                into.set(page);
                found++;
            }
        }
        return found;
    }

    @Override
    public void close() {
        mapping.close();
    }
}
