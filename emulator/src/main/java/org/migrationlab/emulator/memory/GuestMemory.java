package org.migrationlab.emulator.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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

    private final AutoCloseable mapping;
    private final MemorySegment ram;
    private final long pageCount;

    public GuestMemory(long sizeBytes) {
        checkSize(sizeBytes);
        AnonymousMapping anonymous = new AnonymousMapping(sizeBytes);
        if (!"false".equals(System.getProperty(HUGE_PAGES_PROPERTY))) {
            anonymous.adviseHugePages();
        }
        this.mapping = anonymous;
        this.ram = anonymous.segment();
        this.pageCount = sizeBytes >>> PAGE_SHIFT;
    }

    private GuestMemory(Arena arena, MemorySegment ram) {
        this.mapping = arena;
        this.ram = ram;
        this.pageCount = ram.byteSize() >>> PAGE_SHIFT;
    }

    private static void checkSize(long sizeBytes) {
        if (sizeBytes % PAGE_SIZE != 0 || sizeBytes <= 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of 4 KiB: " + sizeBytes);
        }
    }

    /**
     * Fresh RAM (all zero) in a shared mapping of {@code file}, created or emptied: what the guest writes
     * is in the file (the host's page cache) at once, so it outlives this process. The file is sparse:
     * pages never written take no disk.
     */
    public static GuestMemory createInFile(Path file, long sizeBytes) {
        checkSize(sizeBytes);
        return map(file, sizeBytes, true);
    }

    /** Reopens RAM that {@link #createInFile} put in {@code file}, which must hold exactly {@code sizeBytes}. */
    public static GuestMemory openFile(Path file, long sizeBytes) {
        checkSize(sizeBytes);
        return map(file, sizeBytes, false);
    }

    private static GuestMemory map(Path file, long sizeBytes, boolean create) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = create
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                channel.truncate(0); // emptied: a sparse file of holes reads as zero
                channel.write(ByteBuffer.wrap(new byte[1]), sizeBytes - 1);
            } else if (channel.size() != sizeBytes) {
                throw new IllegalArgumentException("RAM file " + file + " holds " + channel.size()
                        + " bytes, not the guest's " + sizeBytes);
            }
            return new GuestMemory(arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, sizeBytes, arena));
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map guest RAM in " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
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
        try {
            mapping.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("unmapping guest RAM", e);
        }
    }
}
