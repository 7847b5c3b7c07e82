package org.migrationlab.emulator.cpu;

/**
 * What kind of access raised a page fault. Unicorn 2.0.1 does not expose the #PF error code, so a
 * fault on an absent page is classified from what the host can see: {@link #FETCH} when the faulting
 * address lies on the page of the instruction, {@link #WRITE} when the page is present but
 * write-protected, otherwise {@link #READ_OR_WRITE} (a data access whose direction is unknown).
 */
public enum Access {
    FETCH, WRITE, READ_OR_WRITE
}
