package org.migrationlab.migration.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * The handshake's proof of the shared secret (PROTOCOL §3):
 * {@code HMAC-SHA256(secret, "migrationlab-auth-v1" | sender role | peer nonce | migration id)}.
 * Checked in constant time. Stateless apart from the key.
 */
public final class Authenticator {
    private static final byte[] LABEL = "migrationlab-auth-v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    public Authenticator(byte[] secret) {
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    public static byte[] newNonce() {
        byte[] nonce = new byte[MigrationRecord.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    public byte[] proof(MigrationRecord.Role sender, byte[] peerNonce, UUID migrationId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(LABEL);
            mac.update((byte) sender.ordinal());
            mac.update(peerNonce);
            mac.update(ByteBuffer.allocate(16).putLong(migrationId.getMostSignificantBits())
                    .putLong(migrationId.getLeastSignificantBits()).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public boolean verify(byte[] proof, MigrationRecord.Role sender, byte[] ownNonce, UUID migrationId) {
        return MessageDigest.isEqual(proof, proof(sender, ownNonce, migrationId));
    }
}
