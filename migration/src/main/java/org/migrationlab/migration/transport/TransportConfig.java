package org.migrationlab.migration.transport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import org.migrationlab.migration.faults.FaultPlan;

/**
 * How the two ends of a migration talk: the shared secret both must prove, optional TLS, the emulated
 * link (bandwidth cap on the bulk channel and a one-way latency on every channel), and the time and
 * connection limits that keep peers who prove nothing from holding a listener's resources.
 *
 * @param bandwidthBitsPerSecond 0 = unlimited
 * @param oneWayLatencyNanos     0 = none; added by the receiving end of each channel
 * @param replyTimeoutMillis     how long an end waits for a reply; a destination's bulk connection that
 *                               stays silent this long is also ended
 * @param handshakeTimeoutMillis how long a connection may take to complete its handshake
 * @param maxPendingHandshakes   how many of a listener's connections may be in their handshake at once
 * @param peerTimeoutMillis      how long an authenticated connection may receive nothing at all (not even a
 *                               heartbeat) before this end ends it as silent; heartbeats go out every third of it
 * @param faults                 faults to inject into the connections this end opens (PROTOCOL §3.5, docs/FAULTS.md);
 *                               empty for none, and then no fault handler is installed at all
 */
public record TransportConfig(byte[] secret, Optional<Tls> tls, long bandwidthBitsPerSecond, long oneWayLatencyNanos,
                              long connectTimeoutMillis, long replyTimeoutMillis, long handshakeTimeoutMillis,
                              int maxPendingHandshakes, long peerTimeoutMillis, Optional<FaultPlan> faults) {
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 5_000;
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 16;
    /** A silent peer is detected within this by default. */
    public static final long DEFAULT_PEER_TIMEOUT_MILLIS = 3_000;
    /** The shortest peer timeout: heartbeats every third of it must still be cheap. */
    public static final long MIN_PEER_TIMEOUT_MILLIS = 30;

    /**
     * TLS. The destination serves {@code certificate} (a PEM chain, leaf first) with {@code privateKey}
     * (PKCS#8 PEM). The source accepts exactly one certificate, by its SHA-256 fingerprint: {@code pin}
     * ({@code sha256:} and 64 hex digits) when given, else the first certificate of {@code certificate}; an
     * expired or not yet valid pinned certificate is refused too.
     */
    public record Tls(Path certificate, Path privateKey, Optional<String> pin) {
        public Tls {
            Objects.requireNonNull(pin, "pin");
            if (certificate == null && pin.isEmpty()) {
                throw new IllegalArgumentException("TLS needs a certificate file or a pin");
            }
        }

        public Tls(Path certificate, Path privateKey) {
            this(certificate, privateKey, Optional.empty());
        }

        /** A source that knows the destination's certificate by its fingerprint only. */
        public static Tls pinned(String pin) {
            return new Tls(null, null, Optional.of(pin));
        }
    }

    public TransportConfig {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the shared secret must have at least 16 bytes, got " + secret.length);
        }
        if (bandwidthBitsPerSecond < 0 || oneWayLatencyNanos < 0) {
            throw new IllegalArgumentException("bandwidth and latency must not be negative");
        }
        if (connectTimeoutMillis <= 0 || replyTimeoutMillis <= 0 || handshakeTimeoutMillis <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxPendingHandshakes < 1) {
            throw new IllegalArgumentException("at least one pending handshake must be allowed");
        }
        if (peerTimeoutMillis < MIN_PEER_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("the peer timeout must be at least " + MIN_PEER_TIMEOUT_MILLIS
                    + " ms, got " + peerTimeoutMillis);
        }
        Objects.requireNonNull(faults, "faults");
        secret = secret.clone();
    }

    public TransportConfig(byte[] secret, Optional<Tls> tls, long bandwidthBitsPerSecond, long oneWayLatencyNanos,
                           long connectTimeoutMillis, long replyTimeoutMillis) {
        this(secret, tls, bandwidthBitsPerSecond, oneWayLatencyNanos, connectTimeoutMillis, replyTimeoutMillis,
                DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, DEFAULT_MAX_PENDING_HANDSHAKES, DEFAULT_PEER_TIMEOUT_MILLIS,
                Optional.empty());
    }

    public static TransportConfig of(byte[] secret) {
        return new TransportConfig(secret, Optional.empty(), 0, 0, 10_000, 60_000);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    public TransportConfig withLink(long bitsPerSecond, long latencyNanos) {
        return new TransportConfig(secret, tls, bitsPerSecond, latencyNanos, connectTimeoutMillis, replyTimeoutMillis,
                handshakeTimeoutMillis, maxPendingHandshakes, peerTimeoutMillis, faults);
    }

    public TransportConfig withTls(Tls newTls) {
        return new TransportConfig(secret, Optional.of(newTls), bandwidthBitsPerSecond, oneWayLatencyNanos,
                connectTimeoutMillis, replyTimeoutMillis, handshakeTimeoutMillis, maxPendingHandshakes, peerTimeoutMillis, faults);
    }

    public TransportConfig withReplyTimeout(long millis) {
        return new TransportConfig(secret, tls, bandwidthBitsPerSecond, oneWayLatencyNanos, connectTimeoutMillis, millis,
                handshakeTimeoutMillis, maxPendingHandshakes, peerTimeoutMillis, faults);
    }

    /** The same config with other limits for peers still in their handshake. */
    public TransportConfig withHandshakeLimits(long timeoutMillis, int maxPending) {
        return new TransportConfig(secret, tls, bandwidthBitsPerSecond, oneWayLatencyNanos, connectTimeoutMillis,
                replyTimeoutMillis, timeoutMillis, maxPending, peerTimeoutMillis, faults);
    }

    /** The same config with another peer timeout (how long a silent authenticated peer is waited for). */
    public TransportConfig withPeerTimeout(long millis) {
        return new TransportConfig(secret, tls, bandwidthBitsPerSecond, oneWayLatencyNanos, connectTimeoutMillis,
                replyTimeoutMillis, handshakeTimeoutMillis, maxPendingHandshakes, millis, faults);
    }

    /** The same config injecting {@code plan} into the connections this end opens (null or empty: none). */
    public TransportConfig withFaults(FaultPlan plan) {
        return new TransportConfig(secret, tls, bandwidthBitsPerSecond, oneWayLatencyNanos, connectTimeoutMillis,
                replyTimeoutMillis, handshakeTimeoutMillis, maxPendingHandshakes, peerTimeoutMillis,
                plan == null || plan.faults().isEmpty() ? Optional.empty() : Optional.of(plan));
    }
}
