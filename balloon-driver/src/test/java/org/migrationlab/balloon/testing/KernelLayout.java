package org.migrationlab.balloon.testing;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.memory.GuestMemory;

/**
 * Where the guest kernel keeps its allocator and the balloon driver's area, computed from the layout
 * WORKLOADS.md ("Memory") documents: from free_start, the allocator's bitmap (ceil(pages / 32768)
 * pages), then the balloon driver's area (6 + ceil(allocator pages / 32768) pages).
 *
 * @param allocatorBitmapGpa the allocator's bitmap (bit i set = allocator page i in use)
 * @param firstAllocatorPage page number of allocator page 0
 * @param allocatorPages     pages the allocator manages
 * @param balloonAreaPage    first page of the balloon driver's area (its state, batch, stack, bitmap)
 * @param balloonAreaPages   pages in that area
 */
public record KernelLayout(long allocatorBitmapGpa, long firstAllocatorPage, long allocatorPages, long balloonAreaPage,
                           long balloonAreaPages) {
    private static final long BITS_PER_PAGE = 8L * GuestMemory.PAGE_SIZE;
    private static final long DRIVER_FIXED_PAGES = 6;

    public static KernelLayout of(GuestImage kernel, long ramBytes) {
        long freeStart = (kernel.end() + GuestMemory.PAGE_SIZE - 1) & -GuestMemory.PAGE_SIZE;
        long total = (ramBytes - freeStart) / GuestMemory.PAGE_SIZE;
        long bitmapPages = (total + BITS_PER_PAGE - 1) / BITS_PER_PAGE;
        long firstPage = freeStart / GuestMemory.PAGE_SIZE + bitmapPages;
        long pages = total - bitmapPages;
        long areaPages = DRIVER_FIXED_PAGES + (pages + BITS_PER_PAGE - 1) / BITS_PER_PAGE;
        return new KernelLayout(freeStart, firstPage, pages, firstPage, areaPages);
    }

    public boolean inBalloonArea(long page) {
        return page >= balloonAreaPage && page < balloonAreaPage + balloonAreaPages;
    }

    /** Whether the guest's allocator counts {@code page} as in use, read from guest RAM. */
    public boolean allocatorUses(GuestMemory ram, long page) {
        long index = page - firstAllocatorPage;
        if (index < 0 || index >= allocatorPages) {
            return true; // not the allocator's: kernel image, boot stack, bitmaps
        }
        long word = ram.readLong(allocatorBitmapGpa + (index >>> 6) * 8);
        return ((word >>> (index & 63)) & 1) != 0;
    }
}
