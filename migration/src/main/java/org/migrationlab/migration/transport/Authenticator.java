package org.migrationlab.migration.transport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.RecordCodec;

/**
 * The key schedule of the handshake (PROTOCOL §3.1): from the shared secret and one connection's two
 * HELLOs (and its TLS session, when there is one) derives that connection's {@link ChannelKeys} with
 * HKDF-SHA256:
 *
 * <pre>
 * PRK       = HKDF-Extract(salt = source nonce | destination nonce, IKM = secret)
 * K(p, dir) = HKDF-Expand(PRK, "migrationlab v5 " p | version u16 | migration id | channel u8 | dir u8
 *                              | TLS exporter (32 bytes, or nothing without TLS), 32)
 * proof(dir)  = HMAC-SHA256(K("proof", dir), HELLO frame of the source | HELLO frame of the destination)
 * frame key   = K("frames", dir)                     dir: 0 source to destination, 1 the other way
 * </pre>
 *
 * Stateless apart from the secret; the secret never leaves it.
 */
public final class Authenticator {
    /** The RFC 5705 label under which a TLS connection's exporter binds the handshake to it. */
    public static final String TLS_EXPORTER_LABEL = "EXPORTER-migrationlab-channel-binding";
    public static final int TLS_EXPORTER_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] secret;

    public Authenticator(byte[] secret) {
        this.secret = secret.clone();
    }

    public static byte[] newNonce() {
        byte[] nonce = new byte[MigrationRecord.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /**
     * The keys of the connection whose handshake exchanged {@code source} and {@code destination}.
     *
     * @param tlsExporter the connection's TLS exporter value ({@link #TLS_EXPORTER_LABEL}), or an empty
     *                    array when the connection is plain TCP
     */
    public ChannelKeys keys(Hello source, Hello destination, byte[] tlsExporter) {
        if (source.role() != MigrationRecord.Role.SOURCE || destination.role() != MigrationRecord.Role.DESTINATION) {
            throw new IllegalArgumentException("HELLOs in the wrong roles");
        }
        byte[] salt = ByteBuffer.allocate(2 * MigrationRecord.NONCE_BYTES).put(source.nonce()).put(destination.nonce())
                .array();
        byte[] prk = Hkdf.extract(salt, secret);
        byte[] transcript = concat(frame(source), frame(destination));
        byte[] sourceProof = Hkdf.hmac(key(prk, "proof", source, 0, tlsExporter), transcript);
        byte[] destinationProof = Hkdf.hmac(key(prk, "proof", source, 1, tlsExporter), transcript);
        return new ChannelKeys(sourceProof, destinationProof, key(prk, "frames", source, 0, tlsExporter),
                key(prk, "frames", source, 1, tlsExporter));
    }

    private byte[] key(byte[] prk, String purpose, Hello source, int direction, byte[] tlsExporter) {
        byte[] label = ("migrationlab v5 " + purpose).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer info = ByteBuffer.allocate(label.length + 2 + 16 + 1 + 1 + tlsExporter.length)
                .put(label).putShort((short) source.version())
                .putLong(source.migrationId().getMostSignificantBits())
                .putLong(source.migrationId().getLeastSignificantBits())
                .put((byte) source.channel().ordinal()).put((byte) direction).put(tlsExporter);
        return Hkdf.expand(prk, info.array(), Hkdf.HASH_BYTES);
    }

    private static byte[] frame(Hello hello) {
        ByteBuf frame = RecordCodec.encode(hello, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
