package org.migrationlab.migration.transport;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.faults.Fault;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.SendReason;

/**
 * Injects a fault plan's faults into one connection of a migration (docs/FAULTS.md), at the record level
 * of the source's pipeline: it watches the records going out (the guest's size, page batches, the
 * switch-over) to tell its {@link FaultRun} where the migration is, and acts on the faults aimed at this
 * connection — closes it, silences it (holds what goes out, stops reading, so TCP holds what comes in),
 * delays what goes out, or changes a byte of a page after its CRC was computed. Held writes stay in a
 * {@link PendingWriteQueue}, which counts against the channel's writability: senders wait as they would
 * on a full link, and nothing grows without bound. Installed only when there is a plan. One per
 * channel; event-loop thread only (faults aimed from the other connection are handed to this loop).
 */
final class FaultInjector extends ChannelDuplexHandler {
    private final FaultRun run;
    private final Fault.Link link;
    private final Random delays;
    private ChannelHandlerContext ctx;
    private PendingWriteQueue held;
    private final ArrayDeque<Object> heldInbound = new ArrayDeque<>();
    private boolean closedByFault;
    private boolean silenced;
    private ScheduledFuture<?> silenceEnd;
    private long delayMinNanos;
    private long delayMaxNanos;
    private long lastReleaseNanos;

    FaultInjector(FaultRun run, Fault.Link link) {
        this.run = run;
        this.link = link;
        this.delays = new Random(run.plan().seed() * 31 + link.ordinal());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.held = new PendingWriteQueue(ctx);
        run.attach(link, this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discardHeld();
    }

    /** Applies {@code fault} to this connection: at once from its own write path, else on its event loop. */
    void inject(Fault fault, boolean onThisLoop) {
        if (onThisLoop) {
            apply(fault);
        } else {
            ctx.executor().execute(() -> apply(fault));
        }
    }

    private void apply(Fault fault) {
        if (!ctx.channel().isActive()) {
            return;
        }
        switch (fault) {
            case Fault.Close close -> {
                closedByFault = true;
                ctx.channel().close();
            }
            case Fault.Silence silence -> {
                ctx.flush(); // what was written before the silence has left
                silenced = true;
                ctx.channel().config().setAutoRead(false);
                if (silenceEnd != null) {
                    silenceEnd.cancel(false);
                }
                silenceEnd = silence.forMillis() == 0 ? null
                        : ctx.executor().schedule(this::endSilence, silence.forMillis(), TimeUnit.MILLISECONDS);
            }
            case Fault.Delay delay -> {
                delayMinNanos = TimeUnit.MILLISECONDS.toNanos(delay.minMillis());
                delayMaxNanos = TimeUnit.MILLISECONDS.toNanos(delay.maxMillis());
            }
            case Fault.Corrupt corrupt -> {
                // counted by the run; applied to the next pages that carry data, on either connection
            }
            case Fault.Kill kill -> {
                // never aimed at a connection
            }
        }
    }

    private void endSilence() {
        silenced = false;
        silenceEnd = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        held.removeAndWriteAll();
        ctx.flush();
        while (!heldInbound.isEmpty()) {
            ctx.fireChannelRead(heldInbound.poll());
        }
        ctx.fireChannelReadComplete();
        ctx.channel().config().setAutoRead(true);
    }

    // ---- outbound

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        List<Fault> due = observe(msg);
        if (!due.isEmpty()) {
            run.fire(due, this);
        }
        if (closedByFault || !ctx.channel().isActive()) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        Object out = msg instanceof MigrationRecord.PageBatch batch && run.corrupting() ? corrupt(batch) : msg;
        if (silenced) {
            held.add(out, promise);
            return;
        }
        if (delayMaxNanos > 0) {
            held.add(out, promise);
            long now = System.nanoTime();
            long delay = delayMinNanos + (delayMaxNanos == delayMinNanos ? 0
                    : (long) (delays.nextDouble() * (delayMaxNanos - delayMinNanos)));
            lastReleaseNanos = Math.max(lastReleaseNanos, now + delay); // in order: never before an earlier record
            ctx.executor().schedule(this::releaseOne, lastReleaseNanos - now, TimeUnit.NANOSECONDS);
            return;
        }
        ctx.write(out, promise);
    }

    private void releaseOne() {
        if (silenced || held.isEmpty() || !ctx.channel().isActive()) {
            return; // the silence's end writes what is held
        }
        held.removeAndWrite();
        ctx.flush();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!silenced && delayMaxNanos == 0) {
            ctx.flush();
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!silenced) {
            ctx.read();
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        discardHeld();
        ctx.close(promise);
    }

    /** Tells the schedule what goes out; returns the faults that became due. */
    private List<Fault> observe(Object msg) {
        return switch (msg) {
            case MigrationRecord.GuestConfig config -> run.schedule().guestPages(config.pageCount());
            case MigrationRecord.PageBatch batch -> run.schedule().pagesSent(
                    batch.reason() == SendReason.PRECOPY_ROUND || batch.reason() == SendReason.STOP_AND_COPY,
                    batch.reason() == SendReason.STOP_AND_COPY, batch.round(), batch.count());
            case MigrationRecord.SwitchOver switchOver -> run.schedule().switchOver(switchOver.pendingCount());
            default -> List.of();
        };
    }

    /** A copy of {@code batch} with one byte changed in each of its first pages that carry data (the CRCs kept). */
    private static MigrationRecord.PageBatch corrupt(MigrationRecord.PageBatch batch, int pages) {
        ByteBuf data = batch.data().copy();
        int[] lengths = batch.lengths();
        int offset = 0;
        int left = pages;
        for (int i = 0; i < lengths.length && left > 0; i++) {
            if (lengths[i] > 0) {
                int at = data.readerIndex() + offset + lengths[i] - 1;
                data.setByte(at, data.getByte(at) ^ 0xFF);
                left--;
            }
            offset += lengths[i];
        }
        MigrationRecord.PageBatch changed = new MigrationRecord.PageBatch(batch.reason(), batch.round(),
                batch.pageNumbers(), batch.encodings(), batch.lengths(), batch.crcs(), data);
        batch.release();
        return changed;
    }

    private MigrationRecord.PageBatch corrupt(MigrationRecord.PageBatch batch) {
        int withData = 0;
        for (int length : batch.lengths()) {
            if (length > 0) {
                withData++;
            }
        }
        int pages = withData == 0 ? 0 : run.takePagesToCorrupt(withData);
        return pages == 0 ? batch : corrupt(batch, pages);
    }

    // ---- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (silenced) {
            heldInbound.add(msg); // what the last read already held; reading has stopped
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!silenced) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discardHeld();
        super.channelInactive(ctx);
    }

    private void discardHeld() {
        if (silenceEnd != null) {
            silenceEnd.cancel(false);
            silenceEnd = null;
        }
        if (held != null && !held.isEmpty()) {
            held.removeAndFailAll(new ClosedChannelException());
        }
        while (!heldInbound.isEmpty()) {
            ReferenceCountUtil.release(heldInbound.poll());
        }
    }
}
