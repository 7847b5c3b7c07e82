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
 * sequence number are authenticated too, and the frame ends with the 16-byte tag and the sequence number.
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
    /**
     * Where a frame's body is encrypted in place, or decrypted from: the JDK's AES-GCM runs several times faster
     * on a byte array than on direct buffers or on many small pieces (a page batch is descriptors and
     * pages), so each frame is copied in once; a sealed frame is copied out once, an opened one is decrypted
     * straight into its heap buffer. It grows to the largest frame seen, at most
     * {@link RecordCodec#MAX_FRAME_BODY} plus the tag, and lives as long as the connection.
     */
    private byte[] scratch = new byte[0];

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
     * flagged sealed, its body encrypted, then the tag and the sequence number. {@code frame} is untouched
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
            byte[] work = scratch(bodyBytes + TAG_BYTES);
            frame.getBytes(start + RecordCodec.HEADER_BYTES, work, 0, bodyBytes);
            init(Cipher.ENCRYPT_MODE, seq, sealed);
            int written = cipher.doFinal(work, 0, bodyBytes, work, 0);
            sealed.writeBytes(work, 0, written);
            sealed.writeLongLE(seq);
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
     * Opens a sealed frame ({@code frame}'s readable bytes: header, encrypted body, tag, sequence number):
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
        long seq = frame.getLongLE(start + sealAt + TAG_BYTES);
        // A heap buffer: the body is decrypted from the scratch array straight into its array.
        ByteBuf plain = alloc.heapBuffer(sealAt);
        boolean done = false;
        try {
            plain.writeBytes(frame, start, RecordCodec.HEADER_BYTES);
            byte[] work = scratch(bodyBytes + TAG_BYTES);
            frame.getBytes(start + RecordCodec.HEADER_BYTES, work, 0, bodyBytes + TAG_BYTES);
            init(Cipher.DECRYPT_MODE, seq, plain);
            decryptInto(plain, work, bodyBytes + TAG_BYTES);
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

    /**
     * Decrypts {@code work[0, sealedBytes)} (body and tag) and appends the plain body to {@code plain}, out of
     * place: the JDK's combined AES-GCM intrinsic (AES and GHASH in one pass) runs only when a decryption's
     * output is not its input; in place it falls back to two passes, which made opening a bulk frame about
     * 2.4 times slower than it is out of place (bench's FrameSealBenchmark: 62 against 26 µs per
     * 64-page frame).
     */
    private void decryptInto(ByteBuf plain, byte[] work, int sealedBytes) throws GeneralSecurityException {
        int bodyBytes = sealedBytes - TAG_BYTES;
        plain.ensureWritable(bodyBytes);
        if (plain.hasArray()) {
            int opened = cipher.doFinal(work, 0, sealedBytes, plain.array(), plain.arrayOffset() + plain.writerIndex());
            plain.writerIndex(plain.writerIndex() + opened);
            return;
        }
        byte[] out = new byte[bodyBytes];
        int opened = cipher.doFinal(work, 0, sealedBytes, out, 0);
        plain.writeBytes(out, 0, opened);
    }

    private byte[] scratch(int bytes) {
        if (scratch.length < bytes) {
            scratch = new byte[Math.max(bytes, Math.min(2 * scratch.length, RecordCodec.MAX_FRAME_BODY + TAG_BYTES))];
        }
        return scratch;
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
