package org.migrationlab.migration.transport;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Date;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The source's trust in its destination's TLS certificate: the leaf the destination presents must be the
 * pinned certificate ({@link TlsPin}), byte for byte, and valid now. No certificate authority, no host
 * name: the pin says which certificate, whatever name or address the source dialled. A refusal names the
 * expected and the presented fingerprint, or the date the pinned certificate expired.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final TlsPin pin;

    PinnedTrustManager(TlsPin pin) {
        this.pin = pin;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new UntrustedCertificateException("the destination presented no certificate; expected " + pin);
        }
        X509Certificate leaf = chain[0];
        TlsPin presented = TlsPin.of(leaf);
        if (!presented.equals(pin)) {
            throw new UntrustedCertificateException("the destination's certificate is not the pinned one: expected "
                    + pin + ", got " + presented + " (" + leaf.getSubjectX500Principal().getName() + ", valid until "
                    + leaf.getNotAfter().toInstant() + ")");
        }
        try {
            leaf.checkValidity(new Date());
        } catch (CertificateExpiredException e) {
            throw new UntrustedCertificateException("the pinned certificate " + pin + " ("
                    + leaf.getSubjectX500Principal().getName() + ") expired on " + leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new UntrustedCertificateException("the pinned certificate " + pin + " ("
                    + leaf.getSubjectX500Principal().getName() + ") is not valid before "
                    + leaf.getNotBefore().toInstant());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a source presents no certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a source presents no certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a source presents no certificate");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    /** The destination's certificate is not the one the source trusts (or no longer valid). */
    static final class UntrustedCertificateException extends CertificateException {
        private static final long serialVersionUID = 1L;

        UntrustedCertificateException(String message) {
            super(message);
        }
    }
}
