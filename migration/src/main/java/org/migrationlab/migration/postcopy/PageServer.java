package org.migrationlab.migration.postcopy;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.PooledByteBufAllocator;
import org.HdrHistogram.Histogram;
import org.migrationlab.migration.pages.PageEncoder;
import org.migrationlab.migration.pages.SentPages;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.protocol.PageBatchBuilder;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.transport.PeerChannel;

/**
 * Answers post-copy page requests on the event loop that received them (the urgent channel's, or the
 * bulk one's when the urgent channel is off). The guest is frozen, so pages go out straight from its
 * RAM. A page already handed to a channel is not sent again: the destination waits for the copy on its
 * way (PROTOCOL §5.2). Faults on unsent pages are passed to the push thread as pivots, on a bounded
 * queue (the oldest are dropped when it is full: the newest pivots matter most).
 */
public final class PageServer {
    private final PageEncoder encoder;
    private final SentPages sent;
    private final MigrationProgress progress;
    private final PageCodec.Compression compression;
    private final BlockingQueue<Long> faults = new ArrayBlockingQueue<>(1024);
    /** Serving times: from a request handed here to its page's write complete (the source's fault stage). */
    private final Histogram served = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private volatile boolean active;

    public PageServer(PageEncoder encoder, SentPages sent, MigrationProgress progress,
                      PageCodec.Compression compression) {
        this.encoder = encoder;
        this.sent = sent;
        this.progress = progress;
        this.compression = compression;
    }

    /** From the switch-over on, requests are served. */
    public void activate() {
        active = true;
    }

    /** Pages the destination faulted on and that this server sent, newest last: pivots for prepaging. */
    public BlockingQueue<Long> faults() {
        return faults;
    }

    public void serve(PageRequest request, PeerChannel channel) {
        long page = request.pageNumber();
        if (!active) {
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, "page request before the switch-over");
        }
        if (page >= sent.pageCount()) {
            throw new ProtocolException(AbortReason.BAD_PAGE, "request for page " + page + " of " + sent.pageCount());
        }
        boolean mine = sent.markSent(page);
        progress.postcopyRequest(!mine);
        if (!mine) {
            return;
        }
        while (!faults.offer(page)) {
            faults.poll();
        }
        long start = System.nanoTime();
        try (PageBatchBuilder one = new PageBatchBuilder(PooledByteBufAllocator.DEFAULT, compression, 1)) {
            encoder.encode(one, page, SendReason.DEMAND, 0, true);
            channel.sendNow(one.build(SendReason.DEMAND, 0)).addListener(written -> {
                if (written.isSuccess()) {
                    recordServed(System.nanoTime() - start);
                }
            });
        }
    }

    private synchronized void recordServed(long nanos) {
        served.recordValue(Math.min(served.getHighestTrackableValue(), nanos));
    }

    /** The serving time at {@code percentile} (0 to 100) in nanoseconds; 0 when nothing was served. */
    public synchronized long servedNanos(double percentile) {
        return served.getValueAtPercentile(percentile);
    }
}
