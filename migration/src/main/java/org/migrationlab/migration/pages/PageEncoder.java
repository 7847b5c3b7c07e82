package org.migrationlab.migration.pages;

import org.migrationlab.emulator.port.ConcurrentPageBitmap;
import org.migrationlab.emulator.port.PageBitmap;

import java.lang.foreign.MemorySegment;

import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageSink;
import org.migrationlab.migration.protocol.PageBatchBuilder;
import org.migrationlab.migration.protocol.PageEncoding;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.progress.MigrationProgress;

/**
 * The one way a page of the source guest enters a page batch, whichever path sends it (pre-copy rounds,
 * stop-and-copy, post-copy push and prepaging, demand replies): read through the port (a page never
 * touched is a zero page without being read), encoded (a frozen guest's page without a copy unless
 * compression needs its bytes), and counted (sent pages by kind, resends). Thread-safe: the session
 * thread and the urgent channel's event loop both use it, each with its own builder.
 */
public final class PageEncoder {
    private final Migratable guest;
    private final SentPages everSent;
    private final MigrationProgress progress;
    /** Pages lost in flight with a broken post-copy connection and not yet sent again. */
    private final ConcurrentPageBitmap lost;

    public PageEncoder(Migratable guest, SentPages everSent, MigrationProgress progress) {
        this.guest = guest;
        this.everSent = everSent;
        this.progress = progress;
        this.lost = new ConcurrentPageBitmap(guest.pageCount());
    }

    /**
     * Pages a broken connection lost in flight: their next send is counted as a page resent after a loss,
     * not as a resend (post-copy still delivers every page exactly once).
     */
    public void markLost(PageBitmap pages) {
        pages.forEach(lost::add);
    }

    /**
     * Adds {@code page} to {@code batch} and counts it.
     *
     * @param frozen the guest is paused for good, so its RAM cannot change before the batch is written
     */
    public void encode(PageBatchBuilder batch, long page, SendReason reason, int round, boolean frozen) {
        int before = batch.dataBytes();
        Into into = new Into(batch, frozen && !batch.compresses());
        guest.readPage(page, into);
        boolean resent = !everSent.markSent(page);
        boolean lostBefore = resent && lost.remove(page);
        boolean zero = into.encoding == PageEncoding.ZERO;
        progress.pageSent(reason, round, zero, batch.dataBytes() - before, resent, lostBefore);
        progress.pageObserver().sent(page, reason, round, zero);
    }

    /** Adds what the port read to one batch, remembering how the page was encoded. */
    private static final class Into implements PageSink {
        private final PageBatchBuilder batch;
        private final boolean zeroCopy;
        private PageEncoding encoding = PageEncoding.ZERO;

        Into(PageBatchBuilder batch, boolean zeroCopy) {
            this.batch = batch;
            this.zeroCopy = zeroCopy;
        }

        @Override
        public void zeroPage(long page) {
            batch.addZero(page);
        }

        @Override
        public void dataPage(long page, MemorySegment view) {
            encoding = zeroCopy ? batch.addFrozen(page, view) : batch.add(page, view);
        }
    }
}
