package org.migrationlab.vmm.web;

/**
 * One side of a migration as a live view shows it: its page map, and its figures each tick. The view's
 * ticker calls it on its event loop only, so an implementation may keep what it needs from the last tick.
 */
interface ViewedSide {
    PageMap map();

    /** "source" or "destination" ({@link ViewMessage.Hello}). */
    String role();

    ViewMessage.Tick tick(long atMillis, ViewMessage.Stepping stepping);
}
