package org.migrationlab.migration.transport;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Emulates a link's bandwidth on the sending end, as a serial line of {@code bytesPerSecond} would carry
 * whole records: each message leaves for the socket when the link has sent its last byte, one transmission
 * time after it sent the previous message's (or after it arrived, on an idle link). A link clock
 * ({@code linkFreeAt}) advances by each message's transmission time, so the bytes that left over any
 * interval are at most the rate times the interval, however late the event loop wakes; no burst ever runs
 * ahead of it (a sampling shaper let a 1 Gbit/s link pass 30 Gbit/s for a round, and a first 1 MiB batch
 * let through at once made a short round on a 20 Mbit/s link look ten times faster).
 *
 * <p>Messages wait in order in a queue. Above {@link #highWaterBytes} the channel turns unwritable (a
 * user-defined writability flag, so senders that wait for writability pause) and writable again below half
 * of it: the queue stays bounded, a few milliseconds of the link. One instance per channel; event loop only.
 */
public final class LinkShaper extends ChannelOutboundHandlerAdapter {
    /** The writability flag this handler owns (1 to 31; Netty's own traffic shaping uses 1). */
    static final int WRITABILITY_INDEX = 3;
    private static final long MIN_HIGH_WATER_BYTES = 256 << 10;

    private final double nanosPerByte;
    private final long highWaterBytes;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long linkFreeAt;
    private boolean unwritable;
    private ScheduledFuture<?> wakeUp;
    private ChannelPromise closeWhenSent;

    /** A message waiting on the link; {@code sentAt}: when the link will have sent its last byte. */
    private record Pending(Object msg, ChannelPromise promise, long bytes, long sentAt) {
    }

    /** @param bytesPerSecond the link's rate (at least 1) */
    public LinkShaper(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("link rate must be at least 1 byte/s: " + bytesPerSecond);
        }
        this.nanosPerByte = 1e9 / bytesPerSecond;
        // 10 ms of the link, at least 256 KiB: deep enough to keep it busy, shallow enough that a round's
        // pages are not still queued long after the sender has handed them over.
        this.highWaterBytes = Math.max(MIN_HIGH_WATER_BYTES, bytesPerSecond / 100);
    }

    long highWaterBytes() {
        return highWaterBytes;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long bytes = sizeOf(msg);
        long now = ctx.executor().ticker().nanoTime();
        // The link starts on this message when it has sent the ones before (or now, if it is idle) and has
        // sent it all one transmission time later: only then does it leave, as a whole record reaches a
        // receiver only with its last byte. Bytes counted past this point never run ahead of the rate.
        long start = Math.max(linkFreeAt, now);
        linkFreeAt = start + Math.round(bytes * nanosPerByte);
        queue.add(new Pending(msg, promise, bytes, linkFreeAt));
        queuedBytes += bytes;
        if (!unwritable && queuedBytes > highWaterBytes) {
            setWritable(ctx, false);
        }
        release(ctx);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        // Messages are flushed as they leave the queue; what is still queued is not due yet.
        if (queue.isEmpty()) {
            ctx.flush();
        }
    }

    /** Hands every message the link has finished sending to the socket, then waits for the next. */
    private void release(ChannelHandlerContext ctx) {
        long now = ctx.executor().ticker().nanoTime();
        boolean released = false;
        // An event loop that wakes late hands over all that was due meanwhile: the rate holds over any interval.
        while (!queue.isEmpty() && queue.peek().sentAt() <= now) {
            Pending next = queue.poll();
            queuedBytes -= next.bytes();
            ctx.write(next.msg(), next.promise());
            released = true;
        }
        if (released) {
            ctx.flush();
        }
        if (unwritable && queuedBytes <= highWaterBytes / 2) {
            setWritable(ctx, true);
        }
        if (queue.isEmpty() && closeWhenSent != null) {
            ChannelPromise close = closeWhenSent;
            closeWhenSent = null;
            ctx.close(close);
            return;
        }
        if (!queue.isEmpty() && wakeUp == null) {
            wakeUp = ctx.executor().schedule(() -> {
                wakeUp = null;
                release(ctx);
            }, queue.peek().sentAt() - now, TimeUnit.NANOSECONDS);
        }
    }

    private void setWritable(ChannelHandlerContext ctx, boolean writable) {
        unwritable = !writable;
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer != null) { // null once the channel is closed
            buffer.setUserDefinedWritability(WRITABILITY_INDEX, writable);
        }
    }

    /**
     * Closes once the queue has gone out (its last message may be an ABORT the peer should read): at most
     * the link time of {@link #highWaterBytes}, a little more for urgent records written past the mark.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (queue.isEmpty() || !ctx.channel().isActive()) {
            discardQueue();
            ctx.close(promise);
        } else if (closeWhenSent == null) {
            closeWhenSent = promise;
        } else {
            closeWhenSent.addListener(closed -> promise.trySuccess());
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discardQueue();
        if (closeWhenSent != null) {
            closeWhenSent.trySuccess(); // removed with its channel: closed by the other side or a reset
            closeWhenSent = null;
        }
    }

    private void discardQueue() {
        if (wakeUp != null) {
            wakeUp.cancel(false);
            wakeUp = null;
        }
        for (Pending pending; (pending = queue.poll()) != null; ) {
            ReferenceCountUtil.release(pending.msg());
            pending.promise().tryFailure(new ClosedChannelException());
        }
        queuedBytes = 0;
    }

    private static long sizeOf(Object msg) {
        return switch (msg) {
            case ByteBuf buf -> buf.readableBytes();
            case ByteBufHolder holder -> holder.content().readableBytes();
            default -> 0;
        };
    }
}
