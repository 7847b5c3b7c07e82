package org.migrationlab.migration.testing;

import java.util.ArrayList;
import java.util.List;

import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryHash;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.port.PageBitmap;

/**
 * A guest's RAM page by page, as the oracle's memory hash sees it ({@link MemoryHash} of each page), with the
 * pages its balloon held: lets two guests be compared with some pages masked (those ballooned on either
 * side, whose contents the guest gave up), where one hash of all RAM could only be compared whole.
 *
 * @param pageHashes the memory hash of each page
 * @param ballooned  the pages the guest's balloon held
 */
public record MemoryDigest(long[] pageHashes, PageBitmap ballooned) {
    /** Reads a machine that nothing else touches now (its vCPU paused or stopped). */
    public static MemoryDigest of(Machine machine) {
        GuestMemory ram = machine.memory().ram();
        long pages = machine.memory().pageCount();
        long[] hashes = new long[Math.toIntExact(pages)];
        for (int page = 0; page < hashes.length; page++) {
            hashes[page] = MemoryHash.ofRange(ram.segment(), (long) page * GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
        }
        return new MemoryDigest(hashes, machine.memory().pagesIn(PageState.BALLOONED));
    }

    public long pageCount() {
        return pageHashes.length;
    }

    /** The pages ballooned here or in {@code other}: the mask of a comparison of the two. */
    public PageBitmap balloonedEitherSide(MemoryDigest other) {
        requireSameSize(other);
        PageBitmap either = ballooned.copy();
        either.or(other.ballooned);
        return either;
    }

    /** The pages outside {@code mask} whose contents differ from {@code other}'s, in order. */
    public List<Long> differingPages(MemoryDigest other, PageBitmap mask) {
        requireSameSize(other);
        List<Long> differing = new ArrayList<>();
        for (int page = 0; page < pageHashes.length; page++) {
            if (!mask.get(page) && pageHashes[page] != other.pageHashes[page]) {
                differing.add((long) page);
            }
        }
        return differing;
    }

    private void requireSameSize(MemoryDigest other) {
        if (other.pageHashes.length != pageHashes.length) {
            throw new IllegalArgumentException("digests of " + pageHashes.length + " and " + other.pageHashes.length
                    + " pages");
        }
    }
}
