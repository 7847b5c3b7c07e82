package org.migrationlab.migration.transport;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * Emulates a link's one-way latency on the receiving end: every inbound message is handed on
 * {@code latency} after it arrived, in order. While more than {@link #MAX_PENDING} messages are in the
 * delay line the channel stops reading, so TCP pushes back on the sender and nothing grows unbounded.
 * One instance per channel; event-loop thread only.
 */
public final class LatencyHandler extends ChannelDuplexHandler {
    static final int MAX_PENDING = 1024;
    private final long latencyNanos;
    private int pending;
    private boolean readingPaused;

    public LatencyHandler(long latencyNanos) {
        this.latencyNanos = latencyNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pending++;
        if (pending >= MAX_PENDING && !readingPaused) {
            readingPaused = true;
            ctx.channel().config().setAutoRead(false);
        }
        ctx.executor().schedule(() -> deliver(ctx, msg), latencyNanos, TimeUnit.NANOSECONDS);
    }

    private void deliver(ChannelHandlerContext ctx, Object msg) {
        pending--;
        if (!ctx.channel().isActive() && ctx.isRemoved()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
        if (readingPaused && pending < MAX_PENDING / 2) {
            readingPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }
}
