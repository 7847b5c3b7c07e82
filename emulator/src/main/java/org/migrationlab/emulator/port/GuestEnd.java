package org.migrationlab.emulator.port;

/** How a guest stopped for good: it halted (with a result and status), crashed, or its machine failed. */
public sealed interface GuestEnd {
    /** The guest asked to exit. */
    record Halted(long result, long status) implements GuestEnd {
    }

    /**
     * The guest did something it cannot survive.
     *
     * @param kind    a short upper-case name (NULL_PAGE, OUTSIDE_RAM, BAD_HYPERCALL, EXCEPTION, …)
     * @param rip     where it happened
     * @param address the address involved, or -1
     */
    record Crashed(String kind, long rip, long address, String message) implements GuestEnd {
    }

    /** The host side stopped the guest: an engine error, or an absent page that never came. */
    record Failed(String message) implements GuestEnd {
    }
}
