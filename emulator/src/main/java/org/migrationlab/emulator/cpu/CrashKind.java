package org.migrationlab.emulator.cpu;

/** Why a guest cannot continue. Each is a guest bug, reported with the guest's RIP. */
public enum CrashKind {
    /** A CPU exception other than a resolvable page fault (ud2, divide error, ...). */
    EXCEPTION("CPU exception"),
    /** An access outside guest RAM. */
    OUTSIDE_RAM("access outside guest RAM"),
    /** An access to page 0, the null-pointer guard. */
    NULL_PAGE("access to the null page"),
    /** An access to a page the balloon holds: the guest must deflate it first. */
    BALLOONED_PAGE("access to a ballooned page"),
    /** An unknown hypercall port/operation or bad hypercall arguments. */
    BAD_HYPERCALL("bad hypercall"),
    /** The same fault repeated without progress after the host resolved it. */
    FAULT_LOOP("page fault repeated after resolution"),
    /** A write to the host's page tables (read-only to the guest, whatever page tables it made itself). */
    PAGE_TABLE_WRITE("write to the host's page tables"),
    /**
     * The guest left the host's paging: CR3 no longer points at the host's page tables, or CR0 changed
     * (paging or write protection off). Dirty logging and absent pages rely on both.
     */
    PAGING_CHANGED("the guest changed the host's paging registers");

    private final String description;

    CrashKind(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
