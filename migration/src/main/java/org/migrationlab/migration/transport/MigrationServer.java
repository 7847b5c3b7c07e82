package org.migrationlab.migration.transport;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * The destination's listener. Every accepted connection authenticates first — within the handshake
 * deadline, with tiny frames, and only so many at once ({@link TransportConfig#maxPendingHandshakes()}) —
 * then {@code resolver} maps the handshake (migration id and channel kind) to the sink that will receive
 * its records, or throws to refuse it. Owns its event loops.
 */
public final class MigrationServer implements AutoCloseable {
    private final EventLoopGroup acceptLoop = EventLoops.named("net-accept", 1);
    private final EventLoopGroup ioLoops = EventLoops.named("net-io", 2);
    private final Channel listener;

    public MigrationServer(InetSocketAddress address, TransportConfig config, Function<Handshake, RecordSink> resolver)
            throws InterruptedException {
        SslContext ssl = Tls.server(config);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptLoop, ioLoops)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, RecordSizeEstimator.INSTANCE)
                // The channel kind and migration id are learnt from the source's HELLO.
                .childHandler(new MigrationChannelInitializer(MigrationRecord.Role.DESTINATION, null, config, ssl,
                        null, resolver, new ByteCounter(), MigrationChannelInitializer.ChannelHooks.NONE,
                        new PendingHandshakes(config.maxPendingHandshakes()), null));
        try {
            this.listener = bootstrap.bind(address).sync().channel();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        acceptLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
