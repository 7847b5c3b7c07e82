package org.migrationlab.emulator.memory;

/** How writes are logged (DESIGN 3.2). */
public enum DirtyLogMode {
    /** Clear R/W; the first write to each page faults once and is logged (Xen log-dirty, the paper). */
    WRITE_PROTECT,
    /** Clear the PTE D bit; the page walker sets it on the first write; harvest scans PTEs (like PML). */
    DIRTY_BIT
}
