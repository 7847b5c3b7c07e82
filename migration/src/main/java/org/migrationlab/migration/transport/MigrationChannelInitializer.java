package org.migrationlab.migration.transport;

import java.util.UUID;
import java.util.function.Function;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import org.migrationlab.migration.protocol.FrameDecoder;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.RecordDecoder;
import org.migrationlab.migration.protocol.RecordEncoder;

/**
 * Builds one migration connection's pipeline, codecs first and behaviour last:
 * (TLS) → (bulk bandwidth cap, source side) → byte counter → (latency, on the received bytes) → liveness
 * (heartbeats, silent peer) → frames → seal check → records, and outbound records → frames → seal → ...;
 * then (fault injector, only with a fault plan) → writability gate → handshake → session. The latency line sits before the frames so that everything from the frames up runs in step
 * with the handshake, which arms the frame limit and the seals. A fresh set of stateful handlers per
 * channel.
 */
public final class MigrationChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final MigrationRecord.Role role;
    private final MigrationRecord.Channel kind;
    private final TransportConfig config;
    private final SslContext ssl;
    private final UUID migrationId;
    private final Function<Handshake, RecordSink> resolver;
    private final ByteCounter bytes;
    private final ChannelHooks hooks;
    private final PendingHandshakes pendingHandshakes;
    private final FaultRun faults;

    /** Lets the connecting side learn the handlers of the channel it opens. */
    interface ChannelHooks {
        void initialized(SocketChannel channel, SessionHandler session);

        ChannelHooks NONE = (channel, session) -> { };
    }

    MigrationChannelInitializer(MigrationRecord.Role role, MigrationRecord.Channel kind, TransportConfig config,
                                SslContext ssl, UUID migrationId, Function<Handshake, RecordSink> resolver,
                                ByteCounter bytes, ChannelHooks hooks, PendingHandshakes pendingHandshakes,
                                FaultRun faults) {
        this.role = role;
        this.kind = kind;
        this.config = config;
        this.ssl = ssl;
        this.migrationId = migrationId;
        this.resolver = resolver;
        this.bytes = bytes;
        this.hooks = hooks;
        this.pendingHandshakes = pendingHandshakes;
        this.faults = faults;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (ssl != null) {
            pipeline.addLast("tls", ssl.newHandler(channel.alloc()));
        }
        // Counted where bytes leave for the wire, after the link's shaping: a round's measured rate is then
        // the link's, not how fast the shaper's queue filled, which made short rounds look fast.
        pipeline.addLast("bytes", bytes);
        if (role == MigrationRecord.Role.SOURCE && kind == MigrationRecord.Channel.BULK
                && config.bandwidthBitsPerSecond() > 0) {
            pipeline.addLast("link-bandwidth", new LinkShaper(Math.max(1, config.bandwidthBitsPerSecond() / 8)));
        }
        if (config.oneWayLatencyNanos() > 0) {
            pipeline.addLast("link-latency", new LatencyHandler(config.oneWayLatencyNanos()));
        }
        // A destination also ends a bulk connection that carries only heartbeats: an authenticated peer holds a slot.
        LivenessHandler liveness = new LivenessHandler(role, config.peerTimeoutMillis(),
                role == MigrationRecord.Role.DESTINATION ? config.replyTimeoutMillis() : 0);
        pipeline.addLast("liveness", liveness);
        HandshakeHandler.FrameGuards guards = new HandshakeHandler.FrameGuards(FrameDecoder.beforeAuthentication(),
                new FrameSealer(), new FrameOpener(), new ReadSizes());
        channel.config().setRecvByteBufAllocator(guards.reads());
        pipeline.addLast("frames", guards.frames());
        pipeline.addLast("unseal", guards.opener());
        pipeline.addLast("records", new RecordDecoder());
        pipeline.addLast("seal", guards.sealer());
        pipeline.addLast("encoder", new RecordEncoder());
        if (faults != null) {
            pipeline.addLast("faults", new FaultInjector(faults, kind == MigrationRecord.Channel.BULK
                    ? org.migrationlab.migration.faults.Fault.Link.BULK : org.migrationlab.migration.faults.Fault.Link.URGENT));
        }
        WritabilityGate gate = new WritabilityGate();
        pipeline.addLast("writability", gate);
        pipeline.addLast("handshake", new HandshakeHandler(role, kind, new Authenticator(config.secret()), migrationId,
                guards, config.handshakeTimeoutMillis(), pendingHandshakes));
        // A destination ends a bulk connection whose source stays silent: an authenticated peer holds a slot.
        SessionHandler session = new SessionHandler(resolver, gate, bytes, liveness);
        pipeline.addLast("session", session);
        hooks.initialized(channel, session);
    }
}
