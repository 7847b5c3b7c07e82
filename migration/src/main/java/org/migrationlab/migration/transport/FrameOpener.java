package org.migrationlab.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.protocol.RecordCodec;
import org.migrationlab.migration.protocol.RecordType;

/**
 * Checks and removes the seal of every frame the peer sends after its AUTH (PROTOCOL §3.2): a frame
 * that is not sealed, does not decrypt under this connection's key for this direction, or comes out of
 * sequence (replayed, dropped, reordered) ends the connection with {@code ABORT(AUTH_FAILED)}, and
 * nothing after it is read. Before the peer's AUTH only unsealed frames pass. The handshake installs the
 * key once both HELLOs are known. One per channel; event-loop thread only.
 */
final class FrameOpener extends ChannelInboundHandlerAdapter {
    private FrameCipher cipher;
    private boolean opening;
    private boolean failed;

    /** The key of the peer's direction, known once both HELLOs are. */
    void install(FrameCipher receiving) {
        this.cipher = receiving;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed) {
            frame.release();
            return;
        }
        int start = frame.readerIndex();
        int type = frame.getUnsignedShortLE(start);
        boolean sealed = (frame.getUnsignedShortLE(start + 2) & RecordCodec.FLAG_SEALED) != 0;
        if (!opening) {
            if (sealed) {
                throw refuse(frame, "a sealed frame before the peer proved the secret");
            }
            ctx.fireChannelRead(frame);
            if (type == RecordType.AUTH.code()) {
                opening = true; // everything after the peer's proof must be sealed
            }
            return;
        }
        if (!sealed) {
            throw refuse(frame, String.format("an unsealed frame (record type 0x%04x) after the handshake", type));
        }
        if (cipher == null) {
            throw refuse(frame, "no keys for this connection");
        }
        ByteBuf opened;
        try {
            opened = cipher.open(frame, ctx.alloc());
        } catch (FrameCipher.BrokenSealException e) {
            throw refuse(frame, e.getMessage());
        }
        frame.release();
        ctx.fireChannelRead(opened);
    }

    private ProtocolException refuse(ByteBuf frame, String detail) {
        failed = true;
        ReferenceCountUtil.release(frame);
        return new ProtocolException(AbortReason.AUTH_FAILED, detail);
    }
}
