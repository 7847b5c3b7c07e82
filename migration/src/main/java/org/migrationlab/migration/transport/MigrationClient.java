package org.migrationlab.migration.transport;

import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

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
 * once each is authenticated. Owns its event loops ({@code net-bulk}, {@code net-urgent}). With a fault
 * plan in its config, its migrations' connections share one {@link FaultRun} (each fault fires once, a
 * retried migration's included), and every fault fired is reported to the fault log.
 */
public final class MigrationClient implements AutoCloseable {
    private final TransportConfig config;
    private final SslContext ssl;
    private final EventLoopGroup bulkLoop = EventLoops.named("net-bulk", 1);
    private final EventLoopGroup urgentLoop = EventLoops.named("net-urgent", 1);
    private final Consumer<String> faultLog;
    /** The fault plan at work on this client's migrations (one at a time), once the first connection opened. */
    private FaultRun faults; // guarded by this

    public MigrationClient(TransportConfig config) {
        this(config, line -> { });
    }

    /**
     * @param faultLog hears a line for every fault of the config's plan that fires (on an event loop); a kill
     *                 fault is only announced there, for the harness that runs the processes to carry out
     */
    public MigrationClient(TransportConfig config, Consumer<String> faultLog) {
        this.config = config;
        this.ssl = Tls.client(config);
        this.faultLog = faultLog;
    }

    private FaultRun faultsFor(UUID id, MigrationRecord.Channel kind) {
        if (config.faults().isEmpty()) {
            return null;
        }
        synchronized (this) {
            // A recovery's connections, and a retried migration's, join the plan already at work: each fault
            // fires once per client (one source run), so that a retry shows a migration getting past it.
            if (faults == null) {
                faults = new FaultRun(config.faults().get(), faultLog);
            }
            return faults;
        }
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
                // Records count as the bytes they will take while they wait for the event loop (or in a fault
                // injector): counted as 8 bytes each, a session thread handed over a whole round at once.
                .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, RecordSizeEstimator.INSTANCE)
                .handler(new MigrationChannelInitializer(MigrationRecord.Role.SOURCE, kind, config, ssl, id,
                        handshake -> signalling, new ByteCounter(), (ch, s) -> session[0] = s,
                        PendingHandshakes.unlimited(), faultsFor(id, kind)));
        ChannelFuture connected = bootstrap.connect(destination);
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(new TransportClosedException("cannot connect to " + destination + ": "
                        + f.cause().getMessage()));
            } else {
                connected.channel().closeFuture().addListener(c -> {
                    Throwable early = session[0] == null ? null : session[0].failureBeforeHandshake();
                    ready.completeExceptionally(early != null ? early
                            : new TransportClosedException("the destination closed the " + kind + " connection during "
                            + "the handshake" + (ssl == null ? " (TLS on one side only? it may expect TLS; or it is at its limit "
                            + "of connections in their handshake)" : " (it may be at its limit of connections in their "
                            + "handshake)")));
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
            if (Tls.plainAnswer(e.getCause())) {
                throw new TransportClosedException("TLS on one side only: the destination at " + destination
                        + " answered in plain TCP (give it a certificate, or connect without TLS)");
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
