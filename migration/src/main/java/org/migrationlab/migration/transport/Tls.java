package org.migrationlab.migration.transport;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * TLS contexts: the destination serves its PEM certificate chain and key; the source accepts exactly the
 * pinned certificate ({@link PinnedTrustManager}). TLS 1.3 only, whose exporter binds the migration's
 * handshake to the TLS session (PROTOCOL §3.1).
 */
final class Tls {
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    private Tls() {
    }

    static SslContext server(TransportConfig config) {
        if (config.tls().isEmpty()) {
            return null;
        }
        TransportConfig.Tls tls = config.tls().get();
        if (tls.certificate() == null || tls.privateKey() == null) {
            throw new IllegalArgumentException("a TLS destination needs its certificate and key");
        }
        try {
            return SslContextBuilder.forServer(tls.certificate().toFile(), tls.privateKey().toFile())
                    .protocols(PROTOCOLS).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS certificate/key: " + e.getMessage(), e);
        }
    }

    static SslContext client(TransportConfig config) {
        if (config.tls().isEmpty()) {
            return null;
        }
        TransportConfig.Tls tls = config.tls().get();
        TlsPin pin = tls.pin().map(TlsPin::parse).orElseGet(() -> TlsPin.ofFirstCertificate(tls.certificate()));
        try {
            // The pin names the one certificate: no host name check, so the source may name the destination by
            // any address (Netty 4.2 checks host names by default).
            return SslContextBuilder.forClient().trustManager(new PinnedTrustManager(pin)).protocols(PROTOCOLS)
                    .endpointIdentificationAlgorithm(null).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS pin: " + e.getMessage(), e);
        }
    }

    /** The pin's refusal in {@code failure}'s causes, if a TLS handshake failed because of it. */
    static java.util.Optional<String> untrustedCertificate(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PinnedTrustManager.UntrustedCertificateException untrusted) {
                return java.util.Optional.of(untrusted.getMessage());
            }
        }
        return java.util.Optional.empty();
    }

    /** Whether {@code failure} says the peer answered a TLS hello in plain bytes (TLS on this side only). */
    static boolean plainAnswer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.ssl.NotSslRecordException) {
                return true;
            }
        }
        return false;
    }
}
