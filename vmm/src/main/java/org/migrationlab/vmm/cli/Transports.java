package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TlsPin;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The transport options of {@code daemon} and {@code migrate} mapped onto {@link TransportConfig}: the
 * shared secret from a file, optional TLS, and the emulated link. Problems with the files are
 * {@link UserInputException}s (one line, exit code 2); a secret file others may read, or a secret that
 * looks guessable, is used but warned about.
 */
final class Transports {
    /** PROTOCOL §3: the secret every key is derived from must have at least this many bytes. */
    static final int MIN_SECRET_BYTES = 16;
    /**
     * Below this estimate of a secret's strength (its length times the entropy of its byte frequencies) it
     * is warned about: 16 random bytes, or 11 random base64 characters, are above it.
     */
    static final double WEAK_SECRET_BITS = 48;
    private static final String GOOD_SECRET = "head -c 32 /dev/urandom | base64 > FILE && chmod 600 FILE";

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
     * What is weak about a secret and its file, one warning per problem: a file that users other than its
     * owner may read or write, a secret that repeats a shorter pattern or whose bytes say little (a
     * heuristic: it cannot tell a memorable phrase from a random one, only flag the obvious).
     */
    static List<String> secretWarnings(Path file, byte[] secret) {
        List<String> warnings = new ArrayList<>();
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                warnings.add("the secret file " + file + " can be read or written by other users (mode "
                        + PosixFilePermissions.toString(permissions) + "): chmod 600 " + file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions to check here
        }
        double bits = strengthBits(secret);
        if (bits < WEAK_SECRET_BITS || repeatsAPattern(secret)) {
            warnings.add(String.format("the secret in %s looks guessable (%d bytes carrying about %.0f bits%s); use a"
                    + " random one: %s", file, secret.length, bits, repeatsAPattern(secret) ? ", a repeated pattern" : "",
                    GOOD_SECRET.replace("FILE", file.toString())));
        }
        return warnings;
    }

    /** Length times the Shannon entropy of the byte frequencies: an upper bound of what the secret carries. */
    static double strengthBits(byte[] secret) {
        int[] counts = new int[256];
        for (byte b : secret) {
            counts[b & 0xff]++;
        }
        double perByte = 0;
        for (int count : counts) {
            if (count > 0) {
                double p = (double) count / secret.length;
                perByte -= p * Math.log(p) / Math.log(2);
            }
        }
        return perByte * secret.length;
    }

    private static boolean repeatsAPattern(byte[] secret) {
        for (int period = 1; period <= secret.length / 2; period++) {
            boolean repeats = true;
            for (int i = period; i < secret.length && repeats; i++) {
                repeats = secret[i] == secret[i - period];
            }
            if (repeats) {
                return true;
            }
        }
        return false;
    }

    /** As the full form, without a TLS pin and with warnings on the process's standard error. */
    static TransportConfig config(Path secretFile, Path tlsCert, Path tlsKey, long bandwidthBitsPerSecond,
                                  long latencyNanos) {
        return config(secretFile, tlsCert, tlsKey, null, bandwidthBitsPerSecond, latencyNanos,
                new PrintWriter(System.err, true));
    }

    /**
     * The transport config; {@code tlsKey} is null on the source, which needs only the destination's
     * certificate (its first certificate is the one accepted) or {@code tlsPin} ({@code sha256:HEX}).
     * Warnings about the secret go to {@code warnings}.
     */
    static TransportConfig config(Path secretFile, Path tlsCert, Path tlsKey, String tlsPin,
                                  long bandwidthBitsPerSecond, long latencyNanos, PrintWriter warnings) {
        byte[] secret = readSecret(secretFile);
        for (String warning : secretWarnings(secretFile, secret)) {
            synchronized (warnings) {
                warnings.println(TerminalText.escape("vmm: warning: " + warning));
                warnings.flush();
            }
        }
        TransportConfig config;
        try {
            config = TransportConfig.of(secret).withLink(bandwidthBitsPerSecond, latencyNanos);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        if (tlsPin != null) {
            if (tlsCert != null) {
                throw new UserInputException("--tls-cert and --tls-pin both name the certificate to accept: give one");
            }
            try {
                TlsPin.parse(tlsPin);
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--tls-pin: " + e.getMessage());
            }
            return config.withTls(TransportConfig.Tls.pinned(tlsPin));
        }
        if (tlsCert != null) {
            requireReadable(tlsCert, "TLS certificate");
            if (tlsKey != null) {
                requireReadable(tlsKey, "TLS key");
            } else {
                try {
                    TlsPin.ofFirstCertificate(tlsCert); // the source accepts this one: fail early if there is none
                } catch (IllegalArgumentException e) {
                    throw new UserInputException(e.getMessage());
                }
            }
            config = config.withTls(new TransportConfig.Tls(tlsCert, tlsKey));
        }
        return config;
    }

    static MigrationClient client(TransportConfig config) {
        return client(config, line -> { });
    }

    /** A client whose fired faults are told to {@code faultLog}. */
    static MigrationClient client(TransportConfig config, java.util.function.Consumer<String> faultLog) {
        try {
            return new MigrationClient(config, faultLog);
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
