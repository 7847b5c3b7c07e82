package org.migrationlab.migration.transport;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;

/**
 * The last handler of a migration pipeline: waits for the {@link Handshake}, asks the resolver for the
 * sink of this migration, arms the connection's {@link LivenessHandler} (heartbeats, silent peer), then
 * hands the sink every record but heartbeats, which it consumes. Protocol errors end the connection with
 * an ABORT naming the reason; a connection whose peer is silent, or a destination's bulk connection that
 * carries nothing but heartbeats for its progress limit, ends with {@code TIMEOUT} at once (the peer may
 * not be reading: the ABORT is best effort). One per channel (stateful); event-loop thread only.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter {
    /** How long an ABORT may take to leave before the connection is closed anyway. */
    private final Function<Handshake, RecordSink> resolver;
    private final WritabilityGate gate;
    private final ByteCounter bytes;
    private final LivenessHandler liveness;
    private RecordSink sink;
    private PeerChannel peer;
    private boolean failed;

    /** @param liveness this connection's liveness handler, armed once the handshake is done */
    SessionHandler(Function<Handshake, RecordSink> resolver, WritabilityGate gate, ByteCounter bytes,
                   LivenessHandler liveness) {
        this.resolver = resolver;
        this.gate = gate;
        this.bytes = bytes;
        this.liveness = liveness;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        switch (event) {
            case SourceVerified verified -> accept(ctx, verified.handshake(), verified.answer());
            case Handshake handshake -> accept(ctx, handshake, null);
            case SslHandshakeCompletionEvent tls when !tls.isSuccess() -> fail(ctx, tls.cause());
            default -> super.userEventTriggered(ctx, event);
        }
    }

    /** Resolves the sink; a destination then answers with its proof, so the source never races its registration. */
    private void accept(ChannelHandlerContext ctx, Handshake handshake, MigrationRecord.Auth answer) {
        peer = new PeerChannel(ctx.channel(), gate, handshake.channel(), bytes);
        try {
            sink = resolver.apply(handshake);
        } catch (RuntimeException e) {
            fail(ctx, e instanceof ProtocolException p ? p : new ProtocolException(AbortReason.UNEXPECTED_RECORD,
                    e.getMessage()));
            return;
        }
        liveness.arm(handshake.channel());
        // The session knows this connection before the peer can hear our proof: a source that goes on at once
        // (its switch-over on the bulk connection) must find its urgent connection registered here.
        sink.authenticated(handshake, peer);
        if (answer != null) {
            ctx.writeAndFlush(answer);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg); // decoded before the failure; the session has ended
            return;
        }
        if (sink == null || !(msg instanceof MigrationRecord record)) {
            if (msg instanceof MigrationRecord.Abort abort) {
                fail(ctx, new PeerAbortedException(abort));
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        if (record instanceof MigrationRecord.Heartbeat) {
            return; // counted as life by the liveness handler; nothing for the session
        }
        liveness.recordReceived();
        if (record instanceof MigrationRecord.Abort abort) {
            fail(ctx, new PeerAbortedException(abort));
            return;
        }
        try {
            sink.received(record, peer);
        } catch (ProtocolException e) {
            fail(ctx, e);
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        fail(ctx, root);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        if (sink != null) {
            sink.failed(peer, cause);
        } else {
            pendingFailure = cause;
        }
        if (cause instanceof ProtocolException p && p.reason() == AbortReason.TIMEOUT && ctx.channel().isActive()) {
            // A silent peer may not read: the ABORT leaves now or never, and the connection closes at once.
            ctx.writeAndFlush(new MigrationRecord.Abort(p.reason(), p.detail()));
            ctx.close();
        } else if (cause instanceof ProtocolException p && ctx.channel().isActive()) {
            AbortAndDrain.abort(ctx.channel(), new MigrationRecord.Abort(p.reason(), p.detail()));
        } else if (!(cause instanceof HandshakeException)) {
            ctx.close();
        }
    }

    private Throwable pendingFailure;

    /** A failure that happened before any sink existed (e.g. the handshake was refused). */
    public Throwable failureBeforeHandshake() {
        return pendingFailure;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (sink != null) {
            sink.closed(peer);
        }
        super.channelInactive(ctx);
    }
}
