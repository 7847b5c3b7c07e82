package org.migrationlab.migration.protocol;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Cuts the byte stream into whole frames (PROTOCOL §2): 8-byte header with the flags as a
 * little-endian u16 at offset 2 and the body length as a little-endian u32 at offset 4; a frame flagged
 * {@linkplain RecordCodec#FLAG_SEALED sealed} is followed by its {@link RecordCodec#SEAL_BYTES}-byte seal,
 * which stays part of the frame passed on (the transport checks and cuts it). Each frame is passed on as
 * a retained slice of the received bytes (no copy).
 *
 * <p>A body longer than the current limit, or an undefined flag, fails as soon as the header is in,
 * before anything is buffered for the body. The limit starts at {@link RecordCodec#MAX_FRAME_BODY_BEFORE_AUTH}
 * for a connection whose peer has not proved the secret yet (see {@link #beforeAuthentication()}) and is
 * raised to {@link RecordCodec#MAX_FRAME_BODY} by {@link #authenticated()}.
 *
 * <p>After the first failure the decoder discards all further input, so a broken stream produces one
 * error. A stream that ends inside a frame fails with {@code CONNECTION_LOST}.
 *
 * <p>Thread: the channel's event loop. One instance per channel (it keeps the cumulation).
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private int maxBody;
    private boolean failed;

    /** A decoder with the limit of authenticated connections. */
    public FrameDecoder() {
        this(RecordCodec.MAX_FRAME_BODY);
    }

    private FrameDecoder(int maxBody) {
        this.maxBody = maxBody;
    }

    /** A decoder for a connection whose peer has not proved the shared secret yet: tiny frames only. */
    public static FrameDecoder beforeAuthentication() {
        return new FrameDecoder(RecordCodec.MAX_FRAME_BODY_BEFORE_AUTH);
    }

    /** The peer proved the secret: frames up to {@link RecordCodec#MAX_FRAME_BODY} from the next one on. */
    public void authenticated() {
        maxBody = RecordCodec.MAX_FRAME_BODY;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < RecordCodec.HEADER_BYTES) {
            return;
        }
        int start = in.readerIndex();
        int flags = in.getUnsignedShortLE(start + 2);
        long bodyBytes = in.getUnsignedIntLE(start + RecordCodec.LENGTH_FIELD_OFFSET);
        if ((flags & ~RecordCodec.FLAG_SEALED) != 0) {
            fail(in);
            throw new ProtocolException(AbortReason.MALFORMED, String.format("flags 0x%04x on record type 0x%04x (only"
                    + " 0x%04x, sealed, is defined)", flags, in.getUnsignedShortLE(start), RecordCodec.FLAG_SEALED));
        }
        if (bodyBytes > maxBody) {
            fail(in);
            throw new ProtocolException(AbortReason.MALFORMED, "frame body of " + bodyBytes + " bytes exceeds the limit of "
                    + maxBody + (maxBody < RecordCodec.MAX_FRAME_BODY ? " before authentication" : ""));
        }
        int frameBytes = RecordCodec.HEADER_BYTES + (int) bodyBytes
                + ((flags & RecordCodec.FLAG_SEALED) != 0 ? RecordCodec.SEAL_BYTES : 0);
        if (in.readableBytes() >= frameBytes) {
            out.add(in.readRetainedSlice(frameBytes));
        }
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

    /** Whether the stream broke (oversized frame, undefined flag or truncation); further input is discarded. */
    public boolean failed() {
        return failed;
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
