package org.migrationlab.migration.pages;

import io.netty.buffer.PooledByteBufAllocator;
import org.migrationlab.migration.protocol.PageBatchBuilder;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.transport.PeerChannel;

/**
 * Batches pages onto the bulk channel for the session thread: up to 256 pages per batch, sent with
 * backpressure. A batch carries one send reason; changing reason or round flushes. Session thread only.
 */
public final class PageSender implements AutoCloseable {
    private final PageEncoder encoder;
    private final PeerChannel channel;
    private final long sendTimeoutMillis;
    private final PageBatchBuilder builder;
    private final boolean frozen;
    private final Runnable throwIfPeerFailed;
    private SendReason reason;
    private int round;

    /**
     * @param frozen the guest is paused for good (from the switch-over on): pages go out without a copy,
     *               straight from its RAM, unless compression is on
     * @param throwIfPeerFailed throws when the peer has failed or aborted: checked before each batch, so a
     *               sender stops at the peer's ABORT instead of writing on into a connection about to close
     */
    public PageSender(PageEncoder encoder, PeerChannel channel, PageCodec.Compression compression, boolean frozen,
                      long sendTimeoutMillis, Runnable throwIfPeerFailed) {
        this.throwIfPeerFailed = throwIfPeerFailed;
        this.encoder = encoder;
        this.channel = channel;
        this.frozen = frozen;
        this.sendTimeoutMillis = sendTimeoutMillis;
        this.builder = new PageBatchBuilder(PooledByteBufAllocator.DEFAULT, compression);
    }

    /** Adds one page (read now from the guest) to the current batch, flushing when the batch is full. */
    public void add(long page, SendReason why, int inRound) throws InterruptedException {
        if (!builder.isEmpty() && (why != reason || inRound != round)) {
            flush();
        }
        reason = why;
        round = inRound;
        encoder.encode(builder, page, why, inRound, frozen);
        if (builder.isFull()) {
            flush();
        }
    }

    public boolean hasPending() {
        return !builder.isEmpty();
    }

    public void flush() throws InterruptedException {
        if (builder.isEmpty()) {
            return;
        }
        throwIfPeerFailed.run();
        channel.send(builder.build(reason, round), sendTimeoutMillis);
    }

    @Override
    public void close() {
        builder.close();
    }
}
