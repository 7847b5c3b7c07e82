package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The transport options of {@code daemon} and {@code migrate} mapped onto {@link TransportConfig}: the
 * shared secret from a file, optional TLS, and the emulated link. Problems with the files are
 * {@link UserInputException}s (one line, exit code 2).
 */
final class Transports {
    /** PROTOCOL §3: the HMAC key must have at least this many bytes. */
    static final int MIN_SECRET_BYTES = 16;

    private Transports() {
    }

    /**
     * The secret in {@code file}: its bytes without a final line ending, so that a secret written with
     * {@code echo} and one written with {@code printf} agree.
     */
    static byte[] readSecret(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserInputException("cannot read the secret file " + file + ": no such file");
        } catch (IOException e) {
            throw new UserInputException("cannot read the secret file " + file + ": " + e.getMessage());
        }
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
            if (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
        }
        if (length < MIN_SECRET_BYTES) {
            throw new UserInputException("the secret in " + file + " has " + length + " bytes; at least "
                    + MIN_SECRET_BYTES + " are needed (for example: head -c 32 /dev/urandom | base64 > " + file + ")");
        }
        byte[] secret = Arrays.copyOf(bytes, length);
        Arrays.fill(bytes, (byte) 0);
        return secret;
    }

    /**
     * The transport config; {@code tlsKey} is null on the source, which needs only the destination's
     * certificate to trust.
     */
    static TransportConfig config(Path secretFile, Path tlsCert, Path tlsKey, long bandwidthBitsPerSecond,
                                  long latencyNanos) {
        byte[] secret = readSecret(secretFile);
        TransportConfig config;
        try {
            config = TransportConfig.of(secret).withLink(bandwidthBitsPerSecond, latencyNanos);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        if (tlsCert != null) {
            requireReadable(tlsCert, "TLS certificate");
            if (tlsKey != null) {
                requireReadable(tlsKey, "TLS key");
            }
            config = config.withTls(new TransportConfig.Tls(tlsCert, tlsKey));
        }
        return config;
    }

    static MigrationClient client(TransportConfig config) {
        try {
            return new MigrationClient(config);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    static MigrationServer server(java.net.InetSocketAddress address, TransportConfig config,
                                  java.util.function.Function<org.migrationlab.migration.transport.Handshake,
                                          org.migrationlab.migration.transport.RecordSink> resolver)
            throws InterruptedException {
        try {
            return new MigrationServer(address, config, resolver);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // Netty rethrows bind failures (address in use, address not local) undeclared.
            if (e instanceof java.net.SocketException) {
                throw new UserInputException("cannot listen on " + HostPortConverter.format(address) + ": "
                        + e.getMessage());
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private static void requireReadable(Path file, String what) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new UserInputException("cannot read the " + what + " " + file + ": not a readable file");
        }
    }
}
