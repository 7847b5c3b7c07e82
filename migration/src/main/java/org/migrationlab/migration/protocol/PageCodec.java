package org.migrationlab.migration.protocol;

import org.migrationlab.emulator.memory.GuestMemory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import io.netty.buffer.ByteBuf;

import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;

/**
 * One guest page ↔ its wire form in a {@code PAGE_BATCH} (PROTOCOL §4): ZERO (no data), RAW (4096
 * bytes) or DEFLATE (a raw RFC 1951 stream of 1..4095 bytes, used only when it shrinks the page), each
 * with the CRC32C of the 4 KiB page.
 *
 * <p>Encoding reads a live page once: the CRC is computed over the bytes that are sent (or, for ZERO,
 * over the zero page that was seen), so a page the vCPU writes meanwhile still arrives consistent.
 * Decoding verifies the CRC against the decompressed page.
 *
 * <p>Thread: any. Each thread caches one {@link Deflater}, one {@link Inflater} and 8 KiB of scratch.
 */
public final class PageCodec {
    private static final int PAGE_SIZE = GuestMemory.PAGE_SIZE;

    /** Whether non-zero pages may be deflated. */
    public enum Compression { NONE, DEFLATE }

    /** How one page was encoded: {@code length} data bytes were written. */
    public record EncodedPage(PageEncoding encoding, int length, int crc32c) {
    }

    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[PAGE_SIZE]);
    private static final int ZERO_PAGE_CRC = crc32c(ZERO_PAGE);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private PageCodec() {
    }

    /** CRC32C of a page of zeros. */
    public static int zeroPageCrc() {
        return ZERO_PAGE_CRC;
    }

    /** CRC32C of a 4 KiB page. */
    public static int crc32c(MemorySegment page) {
        requirePage(page, "page");
        CRC32C crc = new CRC32C();
        crc.update(page.asByteBuffer());
        return (int) crc.getValue();
    }

    /** CRC32C of {@code page}'s readable bytes (indices unchanged). */
    public static int crc32c(ByteBuf page) {
        return crc32c(page, page.readerIndex(), page.readableBytes());
    }

    private static int crc32c(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, length));
        } else {
            for (ByteBuffer part : buf.nioBuffers(index, length)) {
                crc.update(part);
            }
        }
        return (int) crc.getValue();
    }

    public static boolean isZero(MemorySegment page) {
        requirePage(page, "page");
        return MemorySegment.mismatch(page, 0, PAGE_SIZE, ZERO_PAGE, 0, PAGE_SIZE) == -1;
    }

    /**
     * Appends the wire data of one 4 KiB page to {@code out}: nothing for a zero page, else the raw
     * bytes, or with {@link Compression#DEFLATE} the deflated bytes when they are fewer than 4096.
     */
    public static EncodedPage encodePage(MemorySegment page, Compression compression, ByteBuf out) {
        requirePage(page, "page");
        if (isZero(page)) {
            return new EncodedPage(PageEncoding.ZERO, 0, ZERO_PAGE_CRC);
        }
        return switch (compression) {
            case NONE -> {
                int start = out.writerIndex();
                out.writeBytes(page.asByteBuffer());
                yield new EncodedPage(PageEncoding.RAW, PAGE_SIZE, crc32c(out, start, PAGE_SIZE));
            }
            case DEFLATE -> {
                Scratch scratch = SCRATCH.get();
                MemorySegment.copy(page, 0, scratch.pageSegment, 0, PAGE_SIZE); // one consistent snapshot
                int crc = crc32c(scratch.pageSegment);
                Deflater deflater = scratch.deflater;
                deflater.reset();
                deflater.setInput(scratch.page);
                deflater.finish();
                int length = deflater.deflate(scratch.compressed, 0, PAGE_SIZE - 1);
                if (deflater.finished()) {
                    out.writeBytes(scratch.compressed, 0, length);
                    yield new EncodedPage(PageEncoding.DEFLATE, length, crc);
                }
                out.writeBytes(scratch.page);
                yield new EncodedPage(PageEncoding.RAW, PAGE_SIZE, crc);
            }
        };
    }

    /** Where page {@code index}'s data starts, relative to {@code batch.data().readerIndex()}. */
    public static int dataOffset(PageBatch batch, int index) {
        Objects.checkIndex(index, batch.count());
        int[] lengths = batch.lengths();
        int offset = 0;
        for (int i = 0; i < index; i++) {
            offset += lengths[i];
        }
        return offset;
    }

    /**
     * Writes page {@code index} of {@code batch} into {@code target} (4 KiB, writable) and verifies its
     * CRC32C. On failure the target's content is unspecified.
     *
     * @throws ProtocolException {@code BAD_CRC} if the page does not match its CRC, {@code MALFORMED}
     *     if deflated data is corrupt or does not inflate to exactly 4096 bytes
     */
    public static void decodePageInto(PageBatch batch, int index, MemorySegment target) {
        requirePage(target, "target");
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("target is read-only");
        }
        int offset = dataOffset(batch, index);
        ByteBuf data = batch.data();
        int at = data.readerIndex() + offset;
        long pageNumber = batch.pageNumbers()[index];
        PageEncoding encoding = batch.encodings()[index];
        int actual = switch (encoding) {
            case ZERO -> {
                target.fill((byte) 0);
                yield ZERO_PAGE_CRC;
            }
            case RAW -> {
                data.getBytes(at, target.asByteBuffer());
                yield crc32c(target);
            }
            case DEFLATE -> {
                inflate(data, at, batch.lengths()[index], target, pageNumber);
                yield crc32c(target);
            }
        };
        int expected = batch.crcs()[index];
        if (actual != expected) {
            throw new ProtocolException(AbortReason.BAD_CRC, String.format("%s page %d: CRC32C %08x, expected %08x",
                    encoding, pageNumber, actual, expected));
        }
    }

    private static void inflate(ByteBuf data, int at, int length, MemorySegment target, long pageNumber) {
        Scratch scratch = SCRATCH.get();
        Inflater inflater = scratch.inflater;
        inflater.reset();
        if (data.nioBufferCount() == 1) {
            inflater.setInput(data.nioBuffer(at, length));
        } else {
            data.getBytes(at, scratch.compressed, 0, length);
            inflater.setInput(scratch.compressed, 0, length);
        }
        ByteBuffer out = target.asByteBuffer();
        try {
            // Each call makes progress or ends the loop; the output bound caps a decompression bomb.
            while (out.hasRemaining() && !inflater.finished()) {
                if (inflater.inflate(out) == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            if (!inflater.finished() && !out.hasRemaining()) {
                // A full page but no end of stream yet: anything more means the stream is too long.
                inflater.inflate(scratch.page, 0, 1);
            }
            long produced = inflater.getBytesWritten();
            if (!inflater.finished() || produced != PAGE_SIZE) {
                throw new ProtocolException(AbortReason.MALFORMED, "DEFLATE page " + pageNumber + ": stream "
                        + (inflater.finished() ? "inflates to " + produced + " bytes" : "does not end within a page"));
            }
            if (inflater.getRemaining() != 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "DEFLATE page " + pageNumber + ": "
                        + inflater.getRemaining() + " bytes after the end of the stream");
            }
        } catch (DataFormatException e) {
            throw new ProtocolException(AbortReason.MALFORMED, "DEFLATE page " + pageNumber + ": " + e.getMessage());
        } finally {
            inflater.reset(); // drop the reference to the batch's memory
        }
    }

    private static void requirePage(MemorySegment page, String what) {
        if (page.byteSize() != PAGE_SIZE) {
            throw new IllegalArgumentException(what + " of " + page.byteSize() + " bytes, expected " + PAGE_SIZE);
        }
    }

    /** Per-thread compression state and buffers. */
    private static final class Scratch {
        final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        final Inflater inflater = new Inflater(true);
        final byte[] page = new byte[PAGE_SIZE];
        final MemorySegment pageSegment = MemorySegment.ofArray(page);
        final byte[] compressed = new byte[PAGE_SIZE];
    }
}
