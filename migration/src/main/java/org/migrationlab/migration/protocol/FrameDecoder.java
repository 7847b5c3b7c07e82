package org.migrationlab.migration.protocol;

import java.nio.ByteOrder;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Cuts the byte stream into whole frames (PROTOCOL §2): 8-byte header with the body length as a
 * little-endian u32 at offset 4. Each frame is passed on as a retained slice of the received bytes
 * (no copy). A body length over {@link RecordCodec#MAX_FRAME_BODY} fails as soon as the header is in,
 * before anything is allocated for the body.
 *
 * <p>After the first failure the decoder discards all further input, so a broken stream produces one
 * error. A stream that ends inside a frame fails with {@code CONNECTION_LOST}.
 *
 * <p>Thread: the channel's event loop. One instance per channel (it keeps the cumulation).
 */
public final class FrameDecoder extends LengthFieldBasedFrameDecoder {
    private boolean failed;

    public FrameDecoder() {
        super(ByteOrder.LITTLE_ENDIAN, RecordCodec.HEADER_BYTES + RecordCodec.MAX_FRAME_BODY,
                RecordCodec.LENGTH_FIELD_OFFSET, 4, 0, 0, true);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (in.readableBytes() >= RecordCodec.HEADER_BYTES) {
            long bodyBytes = in.getUnsignedIntLE(in.readerIndex() + RecordCodec.LENGTH_FIELD_OFFSET);
            if (bodyBytes > RecordCodec.MAX_FRAME_BODY) {
                fail(in);
                throw new ProtocolException(AbortReason.MALFORMED, "frame body of " + bodyBytes
                        + " bytes exceeds the limit of " + RecordCodec.MAX_FRAME_BODY);
            }
        }
        return super.decode(ctx, in);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (!failed && in.isReadable()) {
            int partial = in.readableBytes();
            fail(in);
            throw new ProtocolException(AbortReason.CONNECTION_LOST, "stream ended inside a frame, "
                    + partial + " bytes into it");
        }
    }

    /** Whether the stream broke (oversized frame or truncation); further input is discarded. */
    public boolean failed() {
        return failed;
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
