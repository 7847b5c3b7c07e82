package org.migrationlab.migration.protocol;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

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
     * Copies (or deflates) one 4 KiB page into the batch.
     *
     * @return how the page was encoded
     * @throws IllegalStateException if the batch is full
     */
    public PageEncoding add(long pageNumber, MemorySegment page) {
        if (count == maxPages) {
            throw new IllegalStateException("batch already holds " + maxPages + " pages");
        }
        if (pageNumber < 0) {
            throw new IllegalArgumentException("page " + pageNumber);
        }
        if (data == null) {
            data = alloc.directBuffer(maxPages * PageCodec.PAGE_SIZE, maxPages * PageCodec.PAGE_SIZE);
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
    public PageBatch build(SendReason reason, int round) {
        if (count == 0) {
            throw new IllegalStateException("no pages to build a batch of");
        }
        PageBatch batch = new PageBatch(reason, round, Arrays.copyOf(pageNumbers, count),
                Arrays.copyOf(encodings, count), Arrays.copyOf(lengths, count), Arrays.copyOf(crcs, count), data);
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
