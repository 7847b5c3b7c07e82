package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.transport.TransportConfig;

/** The secret file and TLS options: weak secrets and readable files are warned about, pins checked early. */
class TransportsTest {
    @TempDir
    Path dir;

    private Path secretFile(String content, String mode) throws Exception {
        Path file = dir.resolve("secret-" + System.nanoTime());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static String warningsOf(Path secret) {
        StringWriter text = new StringWriter();
        Transports.config(secret, null, null, null, 0, 0, new PrintWriter(text, true));
        return text.toString();
    }

    private static String randomSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key) + "\n";
    }

    @Test
    void aRandomSecretInAPrivateFileIsUsedQuietly() throws Exception {
        assertThat(warningsOf(secretFile(randomSecret(), "rw-------"))).isEmpty();
    }

    @Test
    void aSecretFileOthersCanReadIsWarnedAbout() throws Exception {
        Path file = secretFile(randomSecret(), "rw-r--r--");
        assertThat(warningsOf(file)).startsWith("vmm: warning: the secret file " + file
                + " can be read or written by other users (mode rw-r--r--): chmod 600 " + file);
    }

    @Test
    void guessableSecretsAreWarnedAbout() throws Exception {
        assertThat(warningsOf(secretFile("a".repeat(16) + "\n", "rw-------")))
                .contains("looks guessable (16 bytes carrying about 0 bits, a repeated pattern)")
                .contains("head -c 32 /dev/urandom | base64");
        assertThat(warningsOf(secretFile("abcabcabcabcabcabc", "rw-------"))).contains("a repeated pattern");
        assertThat(warningsOf(secretFile("0000000011111111", "rw-------"))).contains("about 16 bits");
    }

    @Test
    void sixteenRandomBytesAreStrongEnough() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        assertThat(Transports.strengthBits(key)).isGreaterThanOrEqualTo(Transports.WEAK_SECRET_BITS);
    }

    @Test
    void aPinIsCheckedAtOnceAndExcludesACertificateFile() throws Exception {
        Path secret = secretFile(randomSecret(), "rw-------");
        PrintWriter quiet = new PrintWriter(new StringWriter());
        TransportConfig pinned = Transports.config(secret, null, null, "sha256:" + "ab".repeat(32), 0, 0, quiet);
        assertThat(pinned.tls()).hasValueSatisfying(tls -> assertThat(tls.pin()).hasValue("sha256:" + "ab".repeat(32)));
        assertThatThrownBy(() -> Transports.config(secret, null, null, "sha256:12", 0, 0, quiet))
                .isInstanceOf(UserInputException.class).hasMessageStartingWith("--tls-pin: ");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        assertThatThrownBy(() -> Transports.config(secret, cert, null, "sha256:" + "ab".repeat(32), 0, 0, quiet))
                .isInstanceOf(UserInputException.class).hasMessageContaining("give one");
        assertThatThrownBy(() -> Transports.config(secret, cert, null, null, 0, 0, quiet))
                .isInstanceOf(UserInputException.class).hasMessageContaining("cannot read a certificate from");
    }
}
