package org.migrationlab.migration.transport;

import java.security.MessageDigest;

import org.migrationlab.migration.protocol.MigrationRecord.Role;

/**
 * The keys of one authenticated connection (PROTOCOL §3.1), derived from the shared secret and that
 * connection's handshake: each side's proof of the secret and, per direction, the key that seals every
 * later frame. A different nonce, migration id, version, channel kind, direction or TLS session gives
 * different keys, so nothing proved or sealed on one connection is worth anything on another.
 */
public record ChannelKeys(byte[] sourceProof, byte[] destinationProof, byte[] sourceFrameKey, byte[] destinationFrameKey) {
    public ChannelKeys {
        sourceProof = sourceProof.clone();
        destinationProof = destinationProof.clone();
        sourceFrameKey = sourceFrameKey.clone();
        destinationFrameKey = destinationFrameKey.clone();
    }

    /** The proof the {@code sender} sends in its AUTH. */
    public byte[] proof(Role sender) {
        return (sender == Role.SOURCE ? sourceProof : destinationProof).clone();
    }

    /** Whether {@code proof} is the {@code sender}'s, compared in constant time. */
    public boolean verify(Role sender, byte[] proof) {
        return MessageDigest.isEqual(proof, sender == Role.SOURCE ? sourceProof : destinationProof);
    }

    /** The key that seals the frames the {@code sender} sends after its AUTH. */
    public FrameCipher frames(Role sender) {
        return new FrameCipher(sender == Role.SOURCE ? sourceFrameKey : destinationFrameKey);
    }

    @Override
    public byte[] sourceProof() {
        return sourceProof.clone();
    }

    @Override
    public byte[] destinationProof() {
        return destinationProof.clone();
    }

    @Override
    public byte[] sourceFrameKey() {
        return sourceFrameKey.clone();
    }

    @Override
    public byte[] destinationFrameKey() {
        return destinationFrameKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelKeys k && java.util.Arrays.equals(k.sourceFrameKey, sourceFrameKey)
                && java.util.Arrays.equals(k.destinationFrameKey, destinationFrameKey);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sourceFrameKey);
    }

    @Override
    public String toString() {
        return "ChannelKeys[...]"; // never print keys
    }
}
