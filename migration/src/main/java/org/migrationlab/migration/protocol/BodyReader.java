package org.migrationlab.migration.protocol;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.netty.buffer.ByteBuf;

/**
 * Reads one record body with every field checked against the bytes left (PROTOCOL §2: a body is
 * consumed exactly). Each read names its field so that errors say what was missing. Reads advance the
 * frame's reader index; nothing here allocates more than the body already holds.
 */
final class BodyReader {
    private final ByteBuf frame;
    private final RecordType type;
    private final int end;

    BodyReader(ByteBuf frame, RecordType type, int bodyBytes) {
        this.frame = frame;
        this.type = type;
        this.end = frame.readerIndex() + bodyBytes;
    }

    int remaining() {
        return end - frame.readerIndex();
    }

    /** Fails unless {@code bytes} more bytes are left; call it before allocating for a count. */
    void need(long bytes, String field) {
        if (bytes > remaining()) {
            throw malformed(field + " needs " + bytes + " bytes, " + remaining() + " left");
        }
    }

    int u8(String field) {
        need(1, field);
        return frame.readUnsignedByte();
    }

    int u16(String field) {
        need(2, field);
        return frame.readUnsignedShortLE();
    }

    long u32(String field) {
        need(4, field);
        return frame.readUnsignedIntLE();
    }

    /** An unsigned 32-bit field that this version keeps in an {@code int}: larger values are malformed. */
    int u32AsInt(String field) {
        long value = u32(field);
        if (value > Integer.MAX_VALUE) {
            throw malformed(field + " " + value + " exceeds " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /** A u64 as Java's signed long (values of 2^63 and up come out negative; records reject them). */
    long u64(String field) {
        need(8, field);
        return frame.readLongLE();
    }

    /** 16 bytes in RFC 9562 order: the most significant byte first. */
    UUID uuid(String field) {
        need(16, field);
        return new UUID(frame.readLong(), frame.readLong());
    }

    byte[] bytes(int count, String field) {
        need(count, field);
        byte[] bytes = new byte[count];
        frame.readBytes(bytes);
        return bytes;
    }

    byte[] rest() {
        return bytes(remaining(), "rest");
    }

    /** A slice sharing the frame's memory; the caller owns the returned reference. */
    ByteBuf retainedSlice(int count, String field) {
        need(count, field);
        return frame.readRetainedSlice(count);
    }

    /** {@code length} bytes of strict UTF-8: malformed sequences, overlongs and surrogates are rejected. */
    String utf8(int length, String field) {
        need(length, field);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .decode(frame.nioBuffer(frame.readerIndex(), length)).toString();
            frame.skipBytes(length);
            return text;
        } catch (CharacterCodingException e) {
            throw malformed(field + " is not valid UTF-8");
        }
    }

    /** {@code length} bytes of 7-bit ASCII. */
    String ascii(int length, String field) {
        need(length, field);
        int start = frame.readerIndex();
        for (int i = 0; i < length; i++) {
            if (frame.getByte(start + i) < 0) {
                throw malformed(field + " is not ASCII (byte " + i + ")");
            }
        }
        String text = frame.toString(start, length, StandardCharsets.US_ASCII);
        frame.skipBytes(length);
        return text;
    }

    void requireConsumed() {
        if (remaining() != 0) {
            throw malformed(remaining() + " bytes left over after the body");
        }
    }

    ProtocolException malformed(String detail) {
        return new ProtocolException(AbortReason.MALFORMED, type + ": " + detail);
    }
}
