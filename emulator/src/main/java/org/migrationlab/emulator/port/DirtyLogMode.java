package org.migrationlab.emulator.port;

/** How a guest's writes are logged while pre-copy runs (docs/EMULATOR.md, "Dirty logging"). */
public enum DirtyLogMode {
    /** Clear R/W; the first write to each page faults once and is logged (Xen's log-dirty, the paper's way). */
    WRITE_PROTECT,
    /** Clear the PTE D bit; the page walker sets it on the first write; a harvest scans the PTEs (like Intel PML). */
    DIRTY_BIT
}
