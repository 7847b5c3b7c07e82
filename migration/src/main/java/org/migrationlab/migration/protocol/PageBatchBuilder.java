package org.migrationlab.migration.protocol;

import org.migrationlab.emulator.memory.GuestMemory;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;

/**
 * Collects up to {@code maxPages} pages into one {@code PAGE_BATCH}: each page is copied once, from a
 * (possibly live, read-only) {@link MemorySegment} view, into one direct buffer from the allocator,
 * sized for {@code maxPages} raw pages so that it never grows. {@link #build} hands that buffer to the
 * batch and leaves the builder empty for the next batch; {@link #close} releases an unbuilt one.
 *
 * <p>Thread: confined to the thread that fills it (the sender's session thread or event loop).
 */
public final class PageBatchBuilder implements AutoCloseable {
    private final ByteBufAllocator alloc;
    private final PageCodec.Compression compression;
    private final int maxPages;
    private final long[] pageNumbers;
    private final PageEncoding[] encodings;
    private final int[] lengths;
    private final int[] crcs;
    private ByteBuf data;
    private int count;

    /** A builder for full batches of {@link MigrationRecord#MAX_PAGES_PER_BATCH} pages. */
    public PageBatchBuilder(ByteBufAllocator alloc, PageCodec.Compression compression) {
        this(alloc, compression, MigrationRecord.MAX_PAGES_PER_BATCH);
    }

    /** A builder for batches of at most {@code maxPages} (1..256) pages, e.g. 1 for demand replies. */
    public PageBatchBuilder(ByteBufAllocator alloc, PageCodec.Compression compression, int maxPages) {
        if (maxPages < 1 || maxPages > MigrationRecord.MAX_PAGES_PER_BATCH) {
            throw new IllegalArgumentException("maxPages " + maxPages + " outside 1.." + MigrationRecord.MAX_PAGES_PER_BATCH);
        }
        this.alloc = alloc;
        this.compression = compression;
        this.maxPages = maxPages;
        this.pageNumbers = new long[maxPages];
        this.encodings = new PageEncoding[maxPages];
        this.lengths = new int[maxPages];
        this.crcs = new int[maxPages];
    }

    /**
     * Adds a page known to be all zeros (e.g. one the guest never touched) without reading it.
     *
     * @throws IllegalStateException if the batch is full
     */
    public void addZero(long pageNumber) {
        if (count == maxPages) {
            throw new IllegalStateException("batch already holds " + maxPages + " pages");
        }
        if (pageNumber < 0) {
            throw new IllegalArgumentException("page " + pageNumber);
        }
        pageNumbers[count] = pageNumber;
        encodings[count] = PageEncoding.ZERO;
        lengths[count] = 0;
        crcs[count] = PageCodec.zeroPageCrc();
        count++;
    }

    /**
     * Copies (or deflates) one 4 KiB page into the batch.
     *
     * @return how the page was encoded
     * @throws IllegalStateException if the batch is full, or holds pages added with {@link #addFrozen}
     */
    public PageEncoding add(long pageNumber, MemorySegment page) {
        if (data instanceof CompositeByteBuf) {
            throw new IllegalStateException("a batch of frozen pages takes no copied pages");
        }
        if (count == maxPages) {
            throw new IllegalStateException("batch already holds " + maxPages + " pages");
        }
        if (pageNumber < 0) {
            throw new IllegalArgumentException("page " + pageNumber);
        }
        if (data == null) {
            data = alloc.directBuffer(maxPages * GuestMemory.PAGE_SIZE, maxPages * GuestMemory.PAGE_SIZE);
        }
        PageCodec.EncodedPage encoded = PageCodec.encodePage(page, compression, data);
        pageNumbers[count] = pageNumber;
        encodings[count] = encoded.encoding();
        lengths[count] = encoded.length();
        crcs[count] = encoded.crc32c();
        count++;
        return encoded.encoding();
    }

    public int count() {
        return count;
    }

    /** Whether {@link #add} deflates pages (frozen pages are then copied too: compression needs the bytes). */
    public boolean compresses() {
        return compression != PageCodec.Compression.NONE;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public boolean isFull() {
        return count == maxPages;
    }

    public int maxPages() {
        return maxPages;
    }

    /** Data bytes collected so far (what the batch will carry besides its descriptors). */
    public int dataBytes() {
        return data == null ? 0 : data.readableBytes();
    }

    /**
     * The batch of the pages added since the last build; it owns the buffer (release it, or write it,
     * which releases it once written). The builder is empty afterwards.
     *
     * @throws IllegalStateException if no page was added
     */
    /**
     * Adds a page that cannot change until the batch has been written (a frozen guest's RAM) without
     * copying it: the batch refers to {@code page} itself, which must outlive the write. Zero pages are
     * detected as by {@link #add}. No compression.
     *
     * @return how the page was encoded
     * @throws IllegalStateException if the batch is full, or holds copied pages
     */
    public PageEncoding addFrozen(long pageNumber, MemorySegment page) {
        if (count == maxPages) {
            throw new IllegalStateException("batch already holds " + maxPages + " pages");
        }
        if (pageNumber < 0) {
            throw new IllegalArgumentException("page " + pageNumber);
        }
        if (data == null) {
            data = alloc.compositeDirectBuffer(maxPages);
        } else if (!(data instanceof CompositeByteBuf)) {
            throw new IllegalStateException("a batch of copied pages takes no frozen pages");
        }
        PageEncoding encoding;
        if (PageCodec.isZero(page)) {
            encoding = PageEncoding.ZERO;
            lengths[count] = 0;
            crcs[count] = PageCodec.zeroPageCrc();
        } else {
            encoding = PageEncoding.RAW;
            lengths[count] = GuestMemory.PAGE_SIZE;
            crcs[count] = PageCodec.crc32c(page);
            ((CompositeByteBuf) data).addComponent(true, Unpooled.wrappedBuffer(page.asByteBuffer()));
        }
        pageNumbers[count] = pageNumber;
        encodings[count] = encoding;
        count++;
        return encoding;
    }

    public PageBatch build(SendReason reason, int round) {
        if (count == 0) {
            throw new IllegalStateException("no pages to build a batch of");
        }
        ByteBuf pages = data == null ? Unpooled.EMPTY_BUFFER : data; // only zero pages: no data at all
        PageBatch batch = new PageBatch(reason, round, Arrays.copyOf(pageNumbers, count),
                Arrays.copyOf(encodings, count), Arrays.copyOf(lengths, count), Arrays.copyOf(crcs, count), pages);
        data = null;
        count = 0;
        return batch;
    }

    /** Drops the pages added since the last build and releases their buffer. */
    @Override
    public void close() {
        if (data != null) {
            data.release();
            data = null;
        }
        count = 0;
    }
}
