package org.migrationlab.migration.protocol;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

/**
 * Frames (from {@link FrameDecoder}) → {@link MigrationRecord}s, through {@link RecordCodec#decode}.
 * Each frame is released after decoding; a {@code PageBatch} keeps its own slice of it. Optional
 * records of unknown types are skipped and counted (PROTOCOL §2).
 *
 * <p>The first {@link ProtocolException} ends decoding: it is raised (wrapped in a
 * {@code DecoderException}), and later frames are released unread, so the session never sees records
 * that follow a broken one.
 *
 * <p>Thread: the channel's event loop; {@link #skippedOptionalRecords()} may be read from any thread.
 * One instance per channel.
 */
public final class RecordDecoder extends MessageToMessageDecoder<ByteBuf> {
    private volatile long skippedOptionalRecords; // written only by the event loop
    private boolean failed;

    public RecordDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (failed) {
            return; // the superclass releases the frame
        }
        RecordCodec.Decoded decoded;
        try {
            decoded = RecordCodec.decode(frame);
        } catch (ProtocolException e) {
            failed = true;
            throw e;
        }
        switch (decoded) {
            case RecordCodec.Decoded.Known known -> out.add(known.record());
            case RecordCodec.Decoded.SkippedOptional _ -> skippedOptionalRecords++;
        }
    }

    /** Optional records of types this version does not know, skipped so far. */
    public long skippedOptionalRecords() {
        return skippedOptionalRecords;
    }

    /** Whether a protocol error ended decoding. */
    public boolean failed() {
        return failed;
    }
}
