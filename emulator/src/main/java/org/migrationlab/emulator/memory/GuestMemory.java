package org.migrationlab.emulator.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Guest RAM, guest-physical {@code [0, sizeBytes)}: one off-heap segment that the engine maps directly,
 * so the host sees every guest write at once. Pages are addressed by page number; bytes by {@code gpa}.
 *
 * <p>Threading: the segment is shared memory. The vCPU thread writes it through the guest; other threads
 * may read pages (a migration sender) and must accept that a running guest changes them underneath.
 */
public final class GuestMemory implements AutoCloseable {
    public static final int PAGE_SIZE = 4096;
    public static final int PAGE_SHIFT = 12;
    /** Set to {@code false} to keep guest RAM on 4 KiB host pages (transparent huge pages are asked for by default). */
    public static final String HUGE_PAGES_PROPERTY = "migrationlab.hugepages";

    private final AnonymousMapping mapping;
    private final MemorySegment ram;
    private final long pageCount;

    public GuestMemory(long sizeBytes) {
        if (sizeBytes % PAGE_SIZE != 0 || sizeBytes <= 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of 4 KiB: " + sizeBytes);
        }
        this.mapping = new AnonymousMapping(sizeBytes);
        if (!"false".equals(System.getProperty(HUGE_PAGES_PROPERTY))) {
            mapping.adviseHugePages();
        }
        this.ram = mapping.segment();
        this.pageCount = sizeBytes >>> PAGE_SHIFT;
    }

    public long sizeBytes() {
        return ram.byteSize();
    }

    public long pageCount() {
        return pageCount;
    }

    /** The whole RAM segment, for mapping into the engine. Package users outside emulator get views. */
    public MemorySegment segment() {
        return ram;
    }

    public boolean containsPage(long pageNumber) {
        return pageNumber >= 0 && pageNumber < pageCount;
    }

    private void checkPage(long pageNumber) {
        if (!containsPage(pageNumber)) {
            throw new IndexOutOfBoundsException("page " + pageNumber + " outside RAM of " + pageCount + " pages");
        }
    }

    /** A read-only, zero-copy view of one page. Its bytes change if the guest writes the page. */
    public MemorySegment page(long pageNumber) {
        checkPage(pageNumber);
        return ram.asSlice(pageNumber << PAGE_SHIFT, PAGE_SIZE).asReadOnly();
    }

    /** Copies one page into {@code target} (at least 4 KiB) at {@code targetOffset}. */
    public void copyPageTo(long pageNumber, MemorySegment target, long targetOffset) {
        checkPage(pageNumber);
        MemorySegment.copy(ram, pageNumber << PAGE_SHIFT, target, targetOffset, PAGE_SIZE);
    }

    /** Copies one page into a buffer (its position advances by 4 KiB). */
    public void copyPageTo(long pageNumber, ByteBuffer target) {
        checkPage(pageNumber);
        MemorySegment.ofBuffer(target).copyFrom(ram.asSlice(pageNumber << PAGE_SHIFT, PAGE_SIZE));
        target.position(target.position() + PAGE_SIZE);
    }

    /** Overwrites one page with 4 KiB from {@code source} at {@code sourceOffset}. */
    public void writePage(long pageNumber, MemorySegment source, long sourceOffset) {
        checkPage(pageNumber);
        MemorySegment.copy(source, sourceOffset, ram, pageNumber << PAGE_SHIFT, PAGE_SIZE);
    }

    public void zeroPage(long pageNumber) {
        checkPage(pageNumber);
        ram.asSlice(pageNumber << PAGE_SHIFT, PAGE_SIZE).fill((byte) 0);
    }

    public boolean isZeroPage(long pageNumber) {
        checkPage(pageNumber);
        long base = pageNumber << PAGE_SHIFT;
        for (long offset = 0; offset < PAGE_SIZE; offset += 8) {
            if (ram.get(ValueLayout.JAVA_LONG_UNALIGNED, base + offset) != 0) {
                return false;
            }
        }
        return true;
    }

    public void write(long gpa, byte[] bytes) {
        MemorySegment.copy(bytes, 0, ram, ValueLayout.JAVA_BYTE, gpa, bytes.length);
    }

    public byte[] read(long gpa, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, gpa, bytes, 0, length);
        return bytes;
    }

    public byte readByte(long gpa) {
        return ram.get(ValueLayout.JAVA_BYTE, gpa);
    }

    public long readLong(long gpa) {
        return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, gpa);
    }

    public void writeLong(long gpa, long value) {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, value);
    }

    /** True when [gpa, gpa+length) lies inside RAM. */
    public boolean contains(long gpa, long length) {
        return gpa >= 0 && length >= 0 && gpa <= ram.byteSize() - length;
    }

    /** A little-endian ByteBuffer view of [gpa, gpa+length) for device models. */
    public ByteBuffer buffer(long gpa, int length) {
        return ram.asSlice(gpa, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        mapping.close();
    }
}
