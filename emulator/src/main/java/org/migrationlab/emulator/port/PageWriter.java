package org.migrationlab.emulator.port;

import java.lang.foreign.MemorySegment;

/** Writes one page's contents into the 4 KiB segment it is given (a page being filled, {@link Migratable#fillPage}). */
@FunctionalInterface
public interface PageWriter {
    void writeInto(MemorySegment page);
}
