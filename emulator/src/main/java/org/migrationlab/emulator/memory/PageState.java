package org.migrationlab.emulator.memory;

/** Why a guest page is or is not accessible. The PTE holds the mechanism; this holds the reason. */
public enum PageState {
    /** Mapped; the guest may use it (writes may still be trapped by dirty logging). */
    PRESENT,
    /** Not mapped yet: an access stops the guest with a page fault for the host to resolve. */
    ABSENT,
    /** Handed to the host by the balloon: contents discarded; a guest access is a guest bug. */
    BALLOONED,
    /** Never mapped (page 0, the null-pointer guard). */
    GUARD;

    static final PageState[] VALUES = values();
}
