package org.migrationlab.emulator.port;

import java.lang.foreign.MemorySegment;

/**
 * Receives one page read from a guest ({@link Migratable#readPage}): either "all zero, without reading
 * it" (a page nobody ever touched) or a read-only 4 KiB view of guest RAM. The view is live: while the
 * guest runs, its bytes may change under the reader, so a sink copies it unless the guest is frozen.
 */
public interface PageSink {
    /** The page is all zero (never touched since the machine was built). */
    void zeroPage(long page);

    /** The page's bytes, as a read-only view of exactly 4 KiB of guest RAM. */
    void dataPage(long page, MemorySegment view);
}
