package org.migrationlab.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.migrationlab.migration.protocol.RecordType;

/**
 * Seals every frame this end sends after its own AUTH (PROTOCOL §3.2) with the key of this connection
 * and direction, which the handshake installs once both HELLOs are known; HELLO, AUTH and an ABORT before
 * them go out as they are. The sealed frame is a new direct buffer (encryption writes every byte anew
 * anyway); the plain one is released. One per channel; event-loop thread only.
 */
final class FrameSealer extends ChannelOutboundHandlerAdapter {
    private FrameCipher cipher;
    private boolean sealing;

    /** The key of this end's direction, known once both HELLOs are. */
    void install(FrameCipher sending) {
        this.cipher = sending;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.write(msg, promise);
            return;
        }
        if (!sealing) {
            boolean auth = frame.getUnsignedShortLE(frame.readerIndex()) == RecordType.AUTH.code();
            ctx.write(frame, promise);
            if (auth) {
                if (cipher == null) {
                    throw new IllegalStateException("AUTH sent before the connection's keys were derived");
                }
                sealing = true; // everything after our proof is sealed
            }
            return;
        }
        ByteBuf sealed;
        try {
            sealed = cipher.seal(frame, ctx.alloc());
        } finally {
            frame.release();
        }
        ctx.write(sealed, promise);
    }
}
