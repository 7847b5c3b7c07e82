package org.migrationlab.migration.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

/** Records ↔ bytes through the real handlers on an {@link EmbeddedChannel}, and hand-made frames. */
final class Wire {
    private Wire() {
    }

    /** The bytes {@link RecordEncoder} writes for {@code records}; the records stay the caller's. */
    static byte[] encode(List<? extends MigrationRecord> records) {
        EmbeddedChannel channel = new EmbeddedChannel(new RecordEncoder());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            for (MigrationRecord record : records) {
                channel.writeOutbound(ReferenceCountUtil.retain(record)); // writing transfers a reference
                for (ByteBuf frame; (frame = channel.readOutbound()) != null; ) {
                    try {
                        bytes.writeBytes(ByteBufUtil.getBytes(frame));
                    } finally {
                        frame.release();
                    }
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        return bytes.toByteArray();
    }

    static byte[] encode(MigrationRecord record) {
        return encode(List.of(record));
    }

    /** What decoding a byte stream gave: the records (owned by this), errors and skipped records. */
    record Decoding(List<MigrationRecord> records, List<ProtocolException> errors, long skipped)
            implements AutoCloseable {

        ProtocolException singleError() {
            if (errors.size() != 1) {
                throw new AssertionError("expected one protocol error, got " + errors + " and records " + records);
            }
            return errors.getFirst();
        }

        @Override
        public void close() {
            records.forEach(ReferenceCountUtil::release);
        }
    }

    /** Decodes {@code stream} fed in one piece, then closes the channel. */
    static Decoding decode(byte[] stream) {
        return decode(stream, (Random) null);
    }

    /**
     * Decodes {@code stream} through {@link FrameDecoder} and {@link RecordDecoder}, fed in chunks of
     * random sizes (one piece when {@code chunking} is null), then closes the channel.
     *
     * @throws AssertionError if anything but a {@link ProtocolException} (bare or as the cause of a
     *     {@link DecoderException}) is raised, or an inbound message is not a record
     */
    static Decoding decode(byte[] stream, Random chunking) {
        return decodeInChunks(stream, left -> chunking == null ? left : chunkLength(chunking, left));
    }

    /** Decodes {@code stream} fed one byte at a time. */
    static Decoding decodeByteByByte(byte[] stream) {
        return decodeInChunks(stream, left -> 1);
    }

    /** As {@link #decode(byte[], Random)}, with chunk lengths from {@code chunker} (bytes left → length). */
    static Decoding decodeInChunks(byte[] stream, java.util.function.IntUnaryOperator chunker) {
        RecordDecoder recordDecoder = new RecordDecoder();
        List<Throwable> raised = new ArrayList<>();
        ChannelInboundHandlerAdapter errorCollector = new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                raised.add(cause); // every error, not only the first that EmbeddedChannel would keep
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(), recordDecoder, errorCollector);
        List<MigrationRecord> records = new ArrayList<>();
        List<ProtocolException> errors = new ArrayList<>();
        try {
            int offset = 0;
            while (offset < stream.length) {
                int length = chunker.applyAsInt(stream.length - offset);
                ByteBuf chunk = channel.alloc().buffer(length).writeBytes(stream, offset, length);
                offset += length;
                channel.writeInbound(chunk);
                drain(channel, records);
            }
            channel.finish();
            drain(channel, records);
            for (Throwable t : raised) {
                errors.add(protocolCause(t));
            }
        } catch (RuntimeException | Error e) {
            records.forEach(ReferenceCountUtil::release);
            throw e;
        } finally {
            channel.finishAndReleaseAll();
        }
        return new Decoding(records, errors, recordDecoder.skippedOptionalRecords());
    }

    private static int chunkLength(Random random, int left) {
        int length = switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(8);
            case 1 -> 1 + random.nextInt(64);
            case 2 -> 1 + random.nextInt(4096);
            default -> left;
        };
        return Math.min(length, left);
    }

    private static void drain(EmbeddedChannel channel, List<MigrationRecord> records) {
        for (Object message; (message = channel.readInbound()) != null; ) {
            if (!(message instanceof MigrationRecord record)) {
                ReferenceCountUtil.release(message);
                throw new AssertionError("inbound message is not a record: " + message);
            }
            records.add(record);
        }
    }

    /** The protocol error behind {@code thrown}, or an assertion failure carrying {@code thrown}. */
    static ProtocolException protocolCause(Throwable thrown) {
        if (thrown instanceof ProtocolException e) {
            return e;
        }
        if (thrown instanceof DecoderException && thrown.getCause() instanceof ProtocolException e) {
            return e;
        }
        throw new AssertionError("not a protocol error: " + thrown, thrown);
    }

    /** A frame with {@code body} and a header that declares its true length. */
    static byte[] frame(int typeCode, int flags, byte[] body) {
        return frame(typeCode, flags, body.length, body);
    }

    static byte[] frame(int typeCode, int flags, long declaredLength, byte[] body) {
        return new Bytes().u16(typeCode).u16(flags).u32(declaredLength).bytes(body).toArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A little-endian byte builder for hand-made bodies. */
    static final class Bytes {
        private ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

        private Bytes room(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes))
                        .order(ByteOrder.LITTLE_ENDIAN);
                bigger.put(buffer.flip());
                buffer = bigger;
            }
            return this;
        }

        Bytes u8(int value) {
            room(1).buffer.put((byte) value);
            return this;
        }

        Bytes u16(int value) {
            room(2).buffer.putShort((short) value);
            return this;
        }

        Bytes u32(long value) {
            room(4).buffer.putInt((int) value);
            return this;
        }

        Bytes u64(long value) {
            room(8).buffer.putLong(value);
            return this;
        }

        Bytes bytes(byte[] bytes) {
            room(bytes.length).buffer.put(bytes);
            return this;
        }

        Bytes zeros(int count) {
            return bytes(new byte[count]);
        }

        byte[] toArray() {
            byte[] bytes = new byte[buffer.position()];
            buffer.get(0, bytes);
            return bytes;
        }
    }
}
