package org.migrationlab.migration.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.migrationlab.migration.protocol.RecordCodec;

/**
 * The seal of one direction of one connection (PROTOCOL §3.2): after the handshake every frame's body is
 * encrypted and authenticated with AES-256-GCM under this direction's key; the nonce is the frame's
 * sequence number (u64, from 0; a key never sees a nonce twice), the header (flagged sealed) and the
 * sequence number are authenticated too, and the frame ends with the sequence number and the 16-byte tag.
 * So a frame cannot be read, altered, forged, replayed, dropped, reordered or moved to another connection
 * or direction unnoticed. AES-GCM rather than a MAC over the plain body: the JDK's AES-GCM (hardware AES and
 * carry-less multiply) seals a bulk frame faster than its HMAC-SHA256 authenticates one (bench's
 * FrameSealBenchmark), and it hides the guest's memory on a plain TCP link.
 * Counts the sequence itself; stateful, for one thread (the channel's event loop, or a test's).
 */
public final class FrameCipher {
    public static final int TAG_BYTES = 16;
    private static final int SEQUENCE_BYTES = 8;
    private final SecretKeySpec key;
    private final Cipher cipher;
    private long sequence;

    FrameCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES-GCM", e);
        }
    }

    /** A frame whose seal does not hold; the message says why. */
    public static final class BrokenSealException extends Exception {
        private static final long serialVersionUID = 1L;

        BrokenSealException(String message) {
            super(message, null, false, false);
        }
    }

    /** The sequence number the next frame gets (or must carry). */
    public long nextSequence() {
        return sequence;
    }

    /**
     * Seals one unsealed frame ({@code frame}'s readable bytes): returns a new buffer with its header
     * flagged sealed, its body encrypted, then the sequence number and the tag. {@code frame} is untouched
     * and stays the caller's.
     */
    public ByteBuf seal(ByteBuf frame, ByteBufAllocator alloc) {
        int start = frame.readerIndex();
        int bodyBytes = frame.readableBytes() - RecordCodec.HEADER_BYTES;
        long seq = sequence++;
        ByteBuf sealed = alloc.directBuffer(frame.readableBytes() + RecordCodec.SEAL_BYTES);
        try {
            sealed.writeBytes(frame, start, RecordCodec.HEADER_BYTES);
            sealed.setShortLE(2, sealed.getUnsignedShortLE(2) | RecordCodec.FLAG_SEALED);
            // The plain body is copied first and encrypted in place in one call: a page batch arrives as many
            // small pieces (descriptors, pages), and the JDK's AES-GCM takes its fast path only for long
            // inputs — one update per piece ran the push several times slower.
            sealed.writeBytes(frame, start + RecordCodec.HEADER_BYTES, bodyBytes);
            init(Cipher.ENCRYPT_MODE, seq, sealed);
            ByteBuffer in = sealed.nioBuffer(RecordCodec.HEADER_BYTES, bodyBytes);
            ByteBuffer out = sealed.nioBuffer(RecordCodec.HEADER_BYTES, bodyBytes + TAG_BYTES);
            cipher.doFinal(in, out);
            // Body and tag are in place; the sequence number goes between them, so move the tag after it.
            byte[] tag = new byte[TAG_BYTES];
            sealed.getBytes(RecordCodec.HEADER_BYTES + bodyBytes, tag);
            sealed.writerIndex(RecordCodec.HEADER_BYTES + bodyBytes);
            sealed.writeLongLE(seq).writeBytes(tag);
            return sealed;
        } catch (GeneralSecurityException e) {
            sealed.release();
            throw new IllegalStateException("sealing frame " + seq + " failed", e);
        } catch (RuntimeException e) {
            sealed.release();
            throw e;
        }
    }

    /**
     * Opens a sealed frame ({@code frame}'s readable bytes: header, encrypted body, sequence number, tag):
     * returns a new buffer with the plain frame (its header still flagged sealed) when it is the next frame of
     * this direction, unchanged. {@code frame} stays the caller's.
     */
    public ByteBuf open(ByteBuf frame, ByteBufAllocator alloc) throws BrokenSealException {
        int start = frame.readerIndex();
        int sealAt = frame.readableBytes() - RecordCodec.SEAL_BYTES;
        if (sealAt < RecordCodec.HEADER_BYTES) {
            throw new BrokenSealException("a sealed frame of " + frame.readableBytes() + " bytes");
        }
        int bodyBytes = sealAt - RecordCodec.HEADER_BYTES;
        long seq = frame.getLongLE(start + sealAt);
        ByteBuf plain = alloc.directBuffer(sealAt + TAG_BYTES);
        boolean done = false;
        try {
            plain.writeBytes(frame, start, RecordCodec.HEADER_BYTES);
            init(Cipher.DECRYPT_MODE, seq, plain);
            ByteBuffer out = plain.nioBuffer(RecordCodec.HEADER_BYTES, bodyBytes + TAG_BYTES);
            cipher.update(frame.nioBuffer(start + RecordCodec.HEADER_BYTES, bodyBytes), out);
            cipher.doFinal(frame.nioBuffer(start + sealAt + SEQUENCE_BYTES, TAG_BYTES), out);
            plain.writerIndex(sealAt);
            if (seq != sequence) {
                throw new BrokenSealException("frame " + Long.toUnsignedString(seq) + " where frame " + sequence
                        + " was due (replayed, dropped or reordered)");
            }
            sequence++;
            done = true;
            return plain;
        } catch (AEADBadTagException e) {
            throw new BrokenSealException("frame " + Long.toUnsignedString(seq) + " does not carry the seal of this"
                    + " connection (altered, forged, or from another connection or direction)");
        } catch (GeneralSecurityException e) {
            throw new BrokenSealException("frame " + Long.toUnsignedString(seq) + " cannot be opened: " + e.getMessage());
        } finally {
            if (!done) {
                plain.release();
            }
        }
    }

    /** Byte-array form of {@link #seal(ByteBuf, ByteBufAllocator)}, for peers played by hand in tests. */
    public byte[] seal(byte[] frame) {
        ByteBuf sealed = seal(Unpooled.wrappedBuffer(frame), io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[sealed.readableBytes()];
            sealed.readBytes(bytes);
            return bytes;
        } finally {
            sealed.release();
        }
    }

    /** Byte-array form of {@link #open(ByteBuf, ByteBufAllocator)}: the plain frame. */
    public byte[] open(byte[] frame) throws BrokenSealException {
        ByteBuf plain = open(Unpooled.wrappedBuffer(frame), io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[plain.readableBytes()];
            plain.readBytes(bytes);
            return bytes;
        } finally {
            plain.release();
        }
    }

    /** Starts the cipher for frame {@code seq}: its nonce, and the header and sequence number as associated data. */
    private void init(int mode, long seq, ByteBuf headerAt0) throws GeneralSecurityException {
        byte[] nonce = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putLong(seq).array();
        cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        byte[] aad = new byte[RecordCodec.HEADER_BYTES + SEQUENCE_BYTES];
        headerAt0.getBytes(0, aad, 0, RecordCodec.HEADER_BYTES);
        ByteBuffer.wrap(aad, RecordCodec.HEADER_BYTES, SEQUENCE_BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(seq);
        cipher.updateAAD(aad);
    }
}
