package org.migrationlab.migration.transport;

import java.util.UUID;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Abort;
import org.migrationlab.migration.protocol.MigrationRecord.Auth;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.Role;

/**
 * Mutual authentication (PROTOCOL §3): both ends send HELLO; the source proves the secret over the
 * destination's nonce, the destination checks it and proves the secret over the source's nonce. Until
 * both proofs are verified nothing else passes; afterwards this handler removes itself and fires a
 * {@link Handshake} event. One instance per channel (stateful); runs on the channel's event loop.
 */
public final class HandshakeHandler extends SimpleChannelInboundHandler<MigrationRecord> {

    private final Role role;
    private MigrationRecord.Channel channel;
    private final Authenticator authenticator;
    private final byte[] ownNonce = Authenticator.newNonce();
    private UUID migrationId;
    private Hello peer;
    private boolean proofSent;

    /**
     * The source knows the migration id and the channel it opens; the destination learns both from the
     * source's HELLO (pass null for them).
     */
    public HandshakeHandler(Role role, MigrationRecord.Channel channel, Authenticator authenticator, UUID migrationId) {
        super(false);
        this.role = role;
        this.channel = channel;
        this.authenticator = authenticator;
        this.migrationId = migrationId;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (role == Role.SOURCE) {
            sendHello(ctx);
        }
        super.channelActive(ctx);
    }

    private void sendHello(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new Hello(Hello.CURRENT_VERSION, role, channel, migrationId, ownNonce));
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
        if (role == Role.SOURCE) {
            ctx.writeAndFlush(new Auth(authenticator.proof(role, hello.nonce(), migrationId)));
            proofSent = true;
        }
    }

    private void onAuth(ChannelHandlerContext ctx, Auth auth) {
        if (peer == null) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "AUTH before HELLO");
            return;
        }
        if (!authenticator.verify(auth.mac(), peer.role(), ownNonce, migrationId)) {
            refuse(ctx, AbortReason.AUTH_FAILED, "the peer's proof of the shared secret is wrong");
            return;
        }
        Handshake handshake = new Handshake(peer, migrationId, channel);
        if (role == Role.DESTINATION) {
            // Our proof goes out only once the session handler has registered this connection.
            ctx.pipeline().remove(this);
            ctx.fireUserEventTriggered(new SourceVerified(handshake, new Auth(authenticator.proof(role, peer.nonce(),
                    migrationId))));
            return;
        }
        if (!proofSent) {
            refuse(ctx, AbortReason.UNEXPECTED_RECORD, "AUTH before our proof");
            return;
        }
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(handshake);
    }

    private void refuse(ChannelHandlerContext ctx, AbortReason reason, String message) {
        ctx.fireExceptionCaught(new HandshakeException(reason, message));
        ctx.writeAndFlush(new Abort(reason, message)).addListener(ChannelFutureListener.CLOSE);
    }
}
