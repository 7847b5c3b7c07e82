package org.migrationlab.migration.transport;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/** TLS contexts from a PEM certificate and key: the destination serves it, the source trusts exactly it. */
final class Tls {
    private Tls() {
    }

    static SslContext server(TransportConfig config) {
        if (config.tls().isEmpty()) {
            return null;
        }
        try {
            TransportConfig.Tls tls = config.tls().get();
            return SslContextBuilder.forServer(tls.certificate().toFile(), tls.privateKey().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS certificate/key: " + e.getMessage(), e);
        }
    }

    static SslContext client(TransportConfig config) {
        if (config.tls().isEmpty()) {
            return null;
        }
        try {
            // The certificate is pinned (trusted alone), so no host name check: the source may name the
            // destination by any address. Netty 4.2 checks host names by default and has none to check here.
            return SslContextBuilder.forClient().trustManager(config.tls().get().certificate().toFile())
                    .endpointIdentificationAlgorithm(null).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS certificate: " + e.getMessage(), e);
        }
    }
}
