package org.migrationlab.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.migrationlab.migration.protocol.RecordType;

/**
 * Seals every frame this end sends after its own AUTH (PROTOCOL §3.2) with the key of this connection
 * and direction, which the handshake installs once both HELLOs are known; HELLO, AUTH and an ABORT before
 * them go out as they are. A frame is not copied: frame and seal go out as one composite of the two.
 * One per channel; event-loop thread only.
 */
final class FrameSealer extends ChannelOutboundHandlerAdapter {
    private FrameMac mac;
    private boolean sealing;

    /** The key of this end's direction, known once both HELLOs are. */
    void install(FrameMac sendingMac) {
        this.mac = sendingMac;
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
                if (mac == null) {
                    throw new IllegalStateException("AUTH sent before the connection's keys were derived");
                }
                sealing = true; // everything after our proof is sealed
            }
            return;
        }
        byte[] sealBytes = mac.seal(frame);
        // The seal in the frame's own kind of buffer: a composite with a heap part is not direct, and the socket
        // would copy the whole frame into a direct buffer first (a third of the push's time, measured). A new
        // composite of two: adding a component to the page batch's own composite (sized for two) would
        // consolidate it, copying the whole batch.
        ByteBuf seal = (frame.isDirect() ? ctx.alloc().directBuffer(sealBytes.length)
                : ctx.alloc().heapBuffer(sealBytes.length)).writeBytes(sealBytes);
        CompositeByteBuf sealed = ctx.alloc().compositeBuffer(2).addComponents(true, frame, seal);
        ctx.write(sealed, promise);
    }
}
