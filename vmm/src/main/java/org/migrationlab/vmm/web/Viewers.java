package org.migrationlab.vmm.web;

import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;

/**
 * The browsers watching: WebSocket connections that completed their handshake. A new viewer first gets
 * the hello and the whole map, then the ticks' deltas like everyone else. A viewer too slow to take a
 * tick's frames (its channel not writable) misses ticks and is sent the whole map again when it catches
 * up, so nothing queues without bound. What a browser sends (text only) goes to the command listener.
 */
@ChannelHandler.Sharable
final class Viewers extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<Boolean> NEEDS_SNAPSHOT = AttributeKey.valueOf("needsSnapshot");

    private final ChannelGroup group;
    private volatile java.util.function.Consumer<String> commands = text -> { };

    Viewers(EventExecutor executor) {
        this.group = new DefaultChannelGroup("viewers", executor);
    }

    /** Who hears the text the browsers send (step mode's commands); nobody by default. */
    void commands(java.util.function.Consumer<String> listener) {
        this.commands = listener;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            ctx.channel().attr(NEEDS_SNAPSHOT).set(true);
            group.add(ctx.channel());
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof WebSocketFrame frame) {
            try {
                if (frame instanceof TextWebSocketFrame text) {
                    commands.accept(text.text());
                }
            } finally {
                frame.release();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    int count() {
        return group.size();
    }

    /**
     * Sends one tick: the delta to viewers that hold the map, the hello, whole map and tick to new (or
     * lagging) ones, and the end ({@code ended}, null before) to new ones. {@code delta} may be null (nothing changed); it is released here. Returns the
     * payload bytes written.
     */
    long broadcast(String hello, ByteBuf delta, Function<ByteBufAllocator, ByteBuf> snapshot, String tick,
                   String ended) {
        long bytes = 0;
        try {
            for (Channel viewer : group) {
                if (!viewer.isWritable()) {
                    viewer.attr(NEEDS_SNAPSHOT).set(true);
                    continue;
                }
                boolean fresh = Boolean.TRUE.equals(viewer.attr(NEEDS_SNAPSHOT).getAndSet(false));
                if (fresh) {
                    ByteBuf whole = snapshot.apply(viewer.alloc());
                    bytes += hello.length() + whole.readableBytes();
                    viewer.write(new TextWebSocketFrame(hello));
                    viewer.write(new BinaryWebSocketFrame(whole));
                } else if (delta != null) {
                    bytes += delta.readableBytes();
                    viewer.write(new BinaryWebSocketFrame(delta.retainedDuplicate()));
                }
                bytes += tick.length();
                if (fresh && ended != null) {
                    viewer.write(new TextWebSocketFrame(tick));
                    viewer.writeAndFlush(new TextWebSocketFrame(ended)); // a viewer that came late sees the end
                    bytes += ended.length();
                } else {
                    viewer.writeAndFlush(new TextWebSocketFrame(tick));
                }
            }
            return bytes;
        } finally {
            if (delta != null) {
                delta.release();
            }
        }
    }

    /** Every viewer gets the hello and the whole map again at the next tick (the map was replaced). */
    void resend() {
        for (Channel viewer : group) {
            viewer.attr(NEEDS_SNAPSHOT).set(true);
        }
    }

    /** Sends a last text message to every viewer and flushes; the future completes once written. */
    ChannelGroupFuture last(String text) {
        return group.writeAndFlush(new TextWebSocketFrame(text));
    }

    ChannelGroupFuture closeAll() {
        return group.close();
    }
}
