package org.migrationlab.migration.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The one certificate a source accepts from its destination, by the SHA-256 fingerprint of its DER
 * encoding, written {@code sha256:} and 64 hex digits (colons between bytes allowed). Trusting a whole PEM
 * file instead would trust every certificate in it — with a daemon's full chain, its CA, and so every
 * other certificate that CA signed.
 */
public record TlsPin(byte[] sha256) {
    private static final String PREFIX = "sha256:";

    public TlsPin {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 fingerprint has 32 bytes, got " + sha256.length);
        }
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    /** Parses {@code sha256:HEX}. */
    public static TlsPin parse(String text) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        if (!lower.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a TLS pin is sha256: and 64 hex digits, got '" + text + "'");
        }
        String hex = lower.substring(PREFIX.length()).replace(":", "");
        if (hex.length() != 64) {
            throw new IllegalArgumentException("a TLS pin is sha256: and 64 hex digits, got " + hex.length() + " digits");
        }
        try {
            return new TlsPin(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a TLS pin is sha256: and 64 hex digits, got '" + text + "'");
        }
    }

    /** The pin of the first certificate in a PEM file (the leaf of a chain written leaf first). */
    public static TlsPin ofFirstCertificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Certificate first = CertificateFactory.getInstance("X.509").generateCertificate(in);
            return of((X509Certificate) first);
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("cannot read a certificate from " + pem + ": " + e.getMessage(), e);
        }
    }

    public static TlsPin of(X509Certificate certificate) {
        try {
            return new TlsPin(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }

    public boolean matches(X509Certificate certificate) {
        return MessageDigest.isEqual(sha256, of(certificate).sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsPin p && MessageDigest.isEqual(p.sha256, sha256);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return PREFIX + HexFormat.of().formatHex(sha256);
    }
}
