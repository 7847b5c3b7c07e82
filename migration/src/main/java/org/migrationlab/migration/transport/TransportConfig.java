package org.migrationlab.migration.transport;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How the two ends of a migration talk: the shared secret both must prove, optional TLS, and the
 * emulated link (bandwidth cap on the bulk channel and a one-way latency on every channel).
 *
 * @param bandwidthBitsPerSecond 0 = unlimited
 * @param oneWayLatencyNanos     0 = none; added by the receiving end of each channel
 */
public record TransportConfig(byte[] secret, Optional<Tls> tls, long bandwidthBitsPerSecond, long oneWayLatencyNanos,
                              long connectTimeoutMillis, long replyTimeoutMillis) {

    /** PEM certificate chain and PKCS#8 key; the source trusts exactly this certificate. */
    public record Tls(Path certificate, Path privateKey) {
    }

    public TransportConfig {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the shared secret must have at least 16 bytes, got " + secret.length);
        }
        if (bandwidthBitsPerSecond < 0 || oneWayLatencyNanos < 0) {
            throw new IllegalArgumentException("bandwidth and latency must not be negative");
        }
        if (connectTimeoutMillis <= 0 || replyTimeoutMillis <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        secret = secret.clone();
    }

    public static TransportConfig of(byte[] secret) {
        return new TransportConfig(secret, Optional.empty(), 0, 0, 10_000, 60_000);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    public TransportConfig withLink(long bitsPerSecond, long latencyNanos) {
        return new TransportConfig(secret, tls, bitsPerSecond, latencyNanos, connectTimeoutMillis, replyTimeoutMillis);
    }

    public TransportConfig withTls(Tls newTls) {
        return new TransportConfig(secret, Optional.of(newTls), bandwidthBitsPerSecond, oneWayLatencyNanos,
                connectTimeoutMillis, replyTimeoutMillis);
    }
}
