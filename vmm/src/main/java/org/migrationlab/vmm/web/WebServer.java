package org.migrationlab.vmm.web;

import java.net.InetSocketAddress;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The HTTP server of the live view: one event-loop thread, the page's files and one WebSocket path. It
 * binds where it is told (the command line binds loopback unless asked otherwise): it has no
 * authentication, and shows only what the migration's progress lines show.
 */
public final class WebServer implements AutoCloseable {
    static final String WEBSOCKET_PATH = "/live";
    /** Big enough for any request a browser sends this page; larger ones are refused. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** A step command is a few dozen bytes. */
    private static final int MAX_COMMAND_BYTES = 1024;

    private final EventLoopGroup loop;
    private final Channel server;
    private final Viewers viewers;

    private WebServer(EventLoopGroup loop, Channel server, Viewers viewers) {
        this.loop = loop;
        this.server = server;
        this.viewers = viewers;
    }

    public static WebServer start(InetSocketAddress address) throws InterruptedException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("web", true),
                NioIoHandler.newFactory());
        try {
            Viewers viewers = new Viewers(loop.next());
            StaticAssets assets = new StaticAssets(WEBSOCKET_PATH);
            Channel server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                    assets, new WebSocketServerProtocolHandler(WEBSOCKET_PATH, null, false,
                                            MAX_COMMAND_BYTES),
                                    viewers);
                        }
                    }).bind(address).sync().channel();
            return new WebServer(loop, server, viewers);
        } catch (RuntimeException | InterruptedException e) {
            loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    Viewers viewers() {
        return viewers;
    }

    /** The server's one event loop: ticks run on it, so they never race the viewers' handlers. */
    EventLoop eventLoop() {
        return server.eventLoop();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2_000);
        viewers.closeAll().awaitUninterruptibly(2_000);
        loop.shutdownGracefully(0, 500, java.util.concurrent.TimeUnit.MILLISECONDS).awaitUninterruptibly(3_000);
    }
}
