package org.migrationlab.emulator.memory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Page-aligned, lazily zeroed host memory from {@code mmap(MAP_ANONYMOUS|MAP_NORESERVE)}: a 1 GiB guest
 * costs nothing until its pages are touched, and untouched pages read as zero.
 */
final class AnonymousMapping implements AutoCloseable {
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final long MAP_FAILED = -1L;

    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MUNMAP = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        MADVISE = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private final MemorySegment segment;
    private boolean closed;

    AnonymousMapping(long sizeBytes) {
        if (sizeBytes <= 0 || sizeBytes % GuestMemory.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("mapping size must be a positive multiple of 4 KiB: " + sizeBytes);
        }
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, sizeBytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap", t);
        }
        if (address.address() == MAP_FAILED || address.address() == 0) {
            throw new OutOfMemoryError("mmap of " + sizeBytes + " bytes failed");
        }
        this.segment = address.reinterpret(sizeBytes);
    }

    /**
     * Asks the host kernel to back the mapping with transparent huge pages where it can: the first touch
     * of fresh guest RAM then costs one fault per 2 MiB instead of one per 4 KiB. Advisory: a kernel
     * without THP simply ignores it. Returns whether the kernel accepted the advice.
     */
    boolean adviseHugePages() {
        try {
            return (int) MADVISE.invokeExact(segment, segment.byteSize(), MADV_HUGEPAGE) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    MemorySegment segment() {
        return segment;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int ignored = (int) MUNMAP.invokeExact(segment, segment.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("munmap", t);
        }
    }
}
