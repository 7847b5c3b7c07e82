package org.migrationlab.emulator.memory;

/** How writes are logged: two ways, to compare their costs (bin/bench emulator). */
public enum DirtyLogMode {
    /** Clear R/W; the first write to each page faults once and is logged (as Xen's log-dirty mode does). */
    WRITE_PROTECT,
    /** Clear the PTE D bit; the page walker sets it on the first write; harvest scans PTEs (like PML). */
    DIRTY_BIT
}
