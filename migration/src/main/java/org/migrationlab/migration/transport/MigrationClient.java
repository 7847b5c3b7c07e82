package org.migrationlab.migration.transport;

import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * The source's side of the transport: opens a migration's connections to a destination and completes
 * once each is authenticated. Owns its event loops ({@code net-bulk}, {@code net-urgent}).
 */
public final class MigrationClient implements AutoCloseable {
    private final TransportConfig config;
    private final SslContext ssl;
    private final EventLoopGroup bulkLoop = EventLoops.named("net-bulk", 1);
    private final EventLoopGroup urgentLoop = EventLoops.named("net-urgent", 1);

    public MigrationClient(TransportConfig config) {
        this.config = config;
        this.ssl = Tls.client(config);
    }

    /** Connects one channel of migration {@code id} and waits for the handshake. */
    public PeerChannel connect(InetSocketAddress destination, UUID id, MigrationRecord.Channel kind, RecordSink sink)
            throws InterruptedException {
        CompletableFuture<PeerChannel> ready = new CompletableFuture<>();
        SessionHandler[] session = new SessionHandler[1];
        RecordSink signalling = new RecordSink() {
            public void authenticated(Handshake handshake, PeerChannel channel) {
                sink.authenticated(handshake, channel);
                ready.complete(channel);
            }

            public void received(MigrationRecord record, PeerChannel channel) {
                sink.received(record, channel);
            }

            public void failed(PeerChannel channel, Throwable cause) {
                ready.completeExceptionally(cause);
                sink.failed(channel, cause);
            }

            public void closed(PeerChannel channel) {
                sink.closed(channel);
            }
        };
        Bootstrap bootstrap = new Bootstrap()
                .group(kind == MigrationRecord.Channel.BULK ? bulkLoop : urgentLoop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new MigrationChannelInitializer(MigrationRecord.Role.SOURCE, kind, config, ssl, id,
                        handshake -> signalling, new ByteCounter(), (ch, s) -> session[0] = s,
                        PendingHandshakes.unlimited()));
        ChannelFuture connected = bootstrap.connect(destination);
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(new TransportClosedException("cannot connect to " + destination + ": "
                        + f.cause().getMessage()));
            } else {
                connected.channel().closeFuture().addListener(c -> {
                    Throwable early = session[0] == null ? null : session[0].failureBeforeHandshake();
                    ready.completeExceptionally(early != null ? early
                            : new TransportClosedException("the destination closed the " + kind + " connection"));
                });
            }
        });
        try {
            return ready.get(config.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            connected.channel().close();
            java.util.Optional<String> untrusted = Tls.untrustedCertificate(e.getCause());
            if (untrusted.isPresent()) {
                throw new TransportClosedException("TLS: " + untrusted.get());
            }
            throw e.getCause() instanceof RuntimeException r ? r : new TransportClosedException(e.getCause().toString());
        } catch (TimeoutException e) {
            connected.channel().close();
            throw new TransportClosedException("no handshake from " + destination + " within "
                    + config.connectTimeoutMillis() + " ms");
        }
    }

    @Override
    public void close() {
        bulkLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        urgentLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
