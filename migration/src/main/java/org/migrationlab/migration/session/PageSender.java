package org.migrationlab.migration.session;

import io.netty.buffer.PooledByteBufAllocator;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.migration.postcopy.SentPages;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.PageBatchBuilder;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.PageEncoding;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.transport.PeerChannel;

/**
 * Batches pages from guest RAM onto the bulk channel for the session thread: up to 256 pages per batch,
 * one copy each into a pooled direct buffer, sent with backpressure. A batch carries one send reason;
 * changing reason or round flushes. Counts every page in the progress. Session thread only.
 */
final class PageSender implements AutoCloseable {
    private final MemoryMap memory;
    private final PeerChannel channel;
    private final MigrationProgress progress;
    private final SentPages everSent;
    private final long sendTimeoutMillis;
    private final PageBatchBuilder builder;
    private final boolean frozen;
    private SendReason reason;
    private int round;

    /**
     * @param frozen the guest is paused for good (after the switch-over): pages go out without a copy,
     *               straight from its RAM, unless compression is on
     */
    PageSender(MemoryMap memory, PeerChannel channel, MigrationProgress progress, SentPages everSent,
               PageCodec.Compression compression, boolean frozen, long sendTimeoutMillis) {
        this.frozen = frozen && compression == PageCodec.Compression.NONE;
        this.memory = memory;
        this.channel = channel;
        this.progress = progress;
        this.everSent = everSent;
        this.sendTimeoutMillis = sendTimeoutMillis;
        this.builder = new PageBatchBuilder(PooledByteBufAllocator.DEFAULT, compression);
    }

    /** Adds one page (read now from RAM) to the current batch, flushing when the batch is full. */
    void add(long page, SendReason why, int inRound) throws InterruptedException {
        if (!builder.isEmpty() && (why != reason || inRound != round)) {
            flush();
        }
        reason = why;
        round = inRound;
        int before = builder.dataBytes();
        PageEncoding encoding = PageEncoding.ZERO;
        if (memory.mayHoldData(page)) {
            encoding = frozen ? builder.addFrozen(page, memory.ram().page(page)) : builder.add(page, memory.ram().page(page));
        } else {
            builder.addZero(page); // never touched: zero without reading it
        }
        boolean resent = !everSent.markSent(page);
        progress.pageSent(why, inRound, encoding == PageEncoding.ZERO, builder.dataBytes() - before, resent);
        if (builder.isFull()) {
            flush();
        }
    }

    boolean hasPending() {
        return !builder.isEmpty();
    }

    void flush() throws InterruptedException {
        if (builder.isEmpty()) {
            return;
        }
        channel.send(builder.build(reason, round), sendTimeoutMillis);
    }

    @Override
    public void close() {
        builder.close();
    }
}
