package org.migrationlab.migration.transport;

import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.FrameDecoder;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Abort;
import org.migrationlab.migration.protocol.MigrationRecord.Auth;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.Role;

/**
 * Mutual authentication (PROTOCOL §3): both ends send HELLO; from the two HELLOs (and the TLS session,
 * if any) both derive this connection's {@link ChannelKeys}; the source proves the secret over the whole
 * handshake, the destination checks it and only then proves the secret itself. From each end's AUTH on,
 * its frames are sealed ({@link FrameSealer}, {@link FrameOpener}), and once the peer's proof is checked
 * frames may grow to the full size. Until both proofs are verified nothing else passes; afterwards this
 * handler removes itself and fires a {@link Handshake} event (a {@link SourceVerified} at the destination).
 *
 * <p>A handshake has a deadline, and a listener lets only so many connections be in their handshake at
 * once ({@link PendingHandshakes}). One instance per channel (stateful); runs on the channel's event loop.
 */
public final class HandshakeHandler extends SimpleChannelInboundHandler<MigrationRecord> {

    /** The frame-level handlers of this connection that the handshake arms, and its read sizes that it widens. */
    record FrameGuards(FrameDecoder frames, FrameSealer sealer, FrameOpener opener, ReadSizes reads) {
    }

    private final Role role;
    private MigrationRecord.Channel channel;
    private final Authenticator authenticator;
    private final FrameGuards guards;
    private final long deadlineMillis;
    private final PendingHandshakes pending;
    private final byte[] ownNonce = Authenticator.newNonce();
    private UUID migrationId;
    private Hello ownHello;
    private Hello peer;
    private ChannelKeys keys;
    private boolean proofSent;
    private boolean counted;
    private ScheduledFuture<?> deadline;

    /**
     * The source knows the migration id and the channel it opens; the destination learns both from the
     * source's HELLO (pass null for them).
     */
    HandshakeHandler(Role role, MigrationRecord.Channel channel, Authenticator authenticator, UUID migrationId,
                     FrameGuards guards, long deadlineMillis, PendingHandshakes pending) {
        super(false);
        this.role = role;
        this.channel = channel;
        this.authenticator = authenticator;
        this.migrationId = migrationId;
        this.guards = guards;
        this.deadlineMillis = deadlineMillis;
        this.pending = pending;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!pending.tryAcquire()) {
            ctx.close(); // too many connections in their handshake: this one gets nothing
            return;
        }
        counted = true;
        deadline = ctx.executor().schedule(() -> refuse(ctx, AbortReason.TIMEOUT, "no handshake within "
                + deadlineMillis + " ms"), deadlineMillis, TimeUnit.MILLISECONDS);
        if (role == Role.SOURCE) {
            sendHello(ctx);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        finish();
        super.channelInactive(ctx);
    }

    private void finish() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (counted) {
            counted = false;
            pending.release();
        }
    }

    private void sendHello(ChannelHandlerContext ctx) {
        ownHello = new Hello(Hello.CURRENT_VERSION, role, channel, migrationId, ownNonce);
        ctx.writeAndFlush(ownHello);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MigrationRecord record) {
        try {
            switch (record) {
                case Hello hello -> onHello(ctx, hello);
                case Auth auth -> onAuth(ctx, auth);
                case Abort abort -> {
                    ctx.fireChannelRead(abort); // let the session report the peer's reason
                    return;
                }
                // Every other record is refused alike before authentication, so a default is the honest shape.
                default -> refuse(ctx, AbortReason.UNEXPECTED_RECORD, record.type() + " before authentication");
            }
        } finally {
            ReferenceCountUtil.release(record);
        }
    }

    private void onHello(ChannelHandlerContext ctx, Hello hello) {
        if (peer != null) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "second HELLO");
            return;
        }
        if (hello.version() < Hello.OLDEST_ACCEPTED_VERSION || hello.version() > Hello.CURRENT_VERSION) {
            refuse(ctx, AbortReason.VERSION, "protocol version " + hello.version() + " is not supported; this end accepts ["
                    + Hello.OLDEST_ACCEPTED_VERSION + ", " + Hello.CURRENT_VERSION + "]");
            return;
        }
        if (hello.role() == role) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "peer claims the same role " + role);
            return;
        }
        if (role == Role.DESTINATION) {
            channel = hello.channel();
        } else if (hello.channel() != channel) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "peer opened a " + hello.channel() + " channel on a " + channel + " connection");
            return;
        }
        if (role == Role.DESTINATION) {
            migrationId = hello.migrationId();
            sendHello(ctx);
        } else if (!hello.migrationId().equals(migrationId)) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "peer answered for another migration");
            return;
        }
        peer = hello;
        byte[] binding;
        try {
            binding = tlsExporter(ctx);
        } catch (SSLException e) {
            refuse(ctx, AbortReason.AUTH_FAILED, "cannot bind the handshake to the TLS session: " + e.getMessage());
            return;
        }
        keys = role == Role.SOURCE ? authenticator.keys(ownHello, hello, binding) : authenticator.keys(hello, ownHello, binding);
        guards.sealer().install(keys.frames(role));
        guards.opener().install(keys.frames(hello.role()));
        if (role == Role.SOURCE) {
            // Our proof covers both HELLOs, our own fresh nonce among them, and the TLS session: it is worth
            // nothing on any other connection, and every frame after it is sealed with keys a relay lacks.
            ctx.writeAndFlush(new Auth(keys.proof(role)));
            proofSent = true;
        }
    }

    /** The TLS session's exporter value (RFC 5705/8446), or nothing on a plain connection. */
    private static byte[] tlsExporter(ChannelHandlerContext ctx) throws SSLException {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return new byte[0];
        }
        SSLSession session = tls.engine().getSession();
        if (!(session instanceof ExtendedSSLSession extended)) {
            throw new SSLException("the TLS provider exports no keying material");
        }
        byte[] value = extended.exportKeyingMaterialData(Authenticator.TLS_EXPORTER_LABEL, new byte[0],
                Authenticator.TLS_EXPORTER_BYTES);
        if (value == null || value.length != Authenticator.TLS_EXPORTER_BYTES) {
            throw new SSLException("the TLS session exported no keying material");
        }
        return value;
    }

    private void onAuth(ChannelHandlerContext ctx, Auth auth) {
        if (peer == null) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "AUTH before HELLO");
            return;
        }
        if (!keys.verify(peer.role(), auth.mac())) {
            refuse(ctx, AbortReason.AUTH_FAILED, "the peer's proof of the shared secret is wrong");
            return;
        }
        Handshake handshake = new Handshake(peer, migrationId, channel);
        if (role == Role.DESTINATION) {
            // Our proof goes out only once the session handler has registered this connection, and only now that
            // the source has proved the secret: this end signs nothing for a peer it has not verified.
            done(ctx);
            ctx.fireUserEventTriggered(new SourceVerified(handshake, new Auth(keys.proof(role))));
            return;
        }
        if (!proofSent) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "AUTH before our proof");
            return;
        }
        done(ctx);
        ctx.fireUserEventTriggered(handshake);
    }

    private void done(ChannelHandlerContext ctx) {
        finish();
        guards.frames().authenticated();
        guards.reads().authenticated();
        ctx.pipeline().remove(this);
    }

    private void refuse(ChannelHandlerContext ctx, AbortReason reason, String message) {
        if (!ctx.channel().isActive()) {
            return;
        }
        finish();
        ctx.fireExceptionCaught(new HandshakeException(reason, message));
        ctx.writeAndFlush(new Abort(reason, message)).addListener(ChannelFutureListener.CLOSE);
    }
}
