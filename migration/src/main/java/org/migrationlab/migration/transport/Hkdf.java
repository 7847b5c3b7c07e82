package org.migrationlab.migration.transport;

import java.security.GeneralSecurityException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): turns the shared secret and a connection's public values into keys
 * that belong to that connection alone. The JDK has HMAC but, before its own KDF API is final, no HKDF;
 * the two steps are a few lines each.
 */
final class Hkdf {
    static final int HASH_BYTES = 32;

    private Hkdf() {
    }

    /** HKDF-Extract: a pseudo-random key from input keying material and a (public) salt. */
    static byte[] extract(byte[] salt, byte[] inputKeyingMaterial) {
        return hmac(salt.length == 0 ? new byte[HASH_BYTES] : salt, inputKeyingMaterial);
    }

    /** HKDF-Expand: {@code length} bytes (at most 255 blocks) of output keying material for {@code info}. */
    static byte[] expand(byte[] pseudoRandomKey, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_BYTES) {
            throw new IllegalArgumentException("HKDF-Expand of " + length + " bytes");
        }
        byte[] out = new byte[length];
        byte[] block = new byte[0];
        Mac mac = mac(pseudoRandomKey);
        for (int counter = 1, done = 0; done < length; counter++) {
            mac.update(block);
            mac.update(info);
            mac.update((byte) counter);
            block = mac.doFinal();
            int take = Math.min(block.length, length - done);
            System.arraycopy(block, 0, out, done, take);
            done += take;
        }
        return out;
    }

    static byte[] hmac(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
