package org.migrationlab.migration.transport;

import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts the bytes a channel writes and reads, for the statistics. Stateless per channel: sharable. */
@ChannelHandler.Sharable
public final class ByteCounter extends ChannelDuplexHandler {
    private final LongAdder written = new LongAdder();
    private final LongAdder read = new LongAdder();

    public long written() {
        return written.sum();
    }

    public long read() {
        return read.sum();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            written.add(buf.readableBytes());
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            read.add(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }
}
