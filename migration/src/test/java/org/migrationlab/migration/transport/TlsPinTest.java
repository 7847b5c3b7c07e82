package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Pins: the sha256: notation, and the first certificate of a chain file. */
class TlsPinTest {
    static Path resource(String name) {
        try {
            return Path.of(TlsPinTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPinIsWrittenAndReadBack() {
        TlsPin pin = TlsPin.ofFirstCertificate(resource("daemon-fullchain.pem"));
        assertThat(TlsPin.parse(pin.toString())).isEqualTo(pin);
        assertThat(TlsPin.parse(pin.toString().toUpperCase().replace("SHA256:", "sha256:"))).isEqualTo(pin);
        String colons = "sha256:" + pin.toString().substring(7).replaceAll("(..)(?!$)", "$1:");
        assertThat(TlsPin.parse(colons)).isEqualTo(pin);
    }

    @Test
    void theFirstCertificateOfAChainIsItsLeaf() {
        assertThat(TlsPin.ofFirstCertificate(resource("daemon-fullchain.pem")))
                .isNotEqualTo(TlsPin.ofFirstCertificate(resource("sibling-fullchain.pem")));
    }

    @Test
    void malformedPinsAreRefused() {
        assertThatThrownBy(() -> TlsPin.parse("md5:00")).hasMessageContaining("sha256:");
        assertThatThrownBy(() -> TlsPin.parse("sha256:abcd")).hasMessageContaining("got 4 digits");
        assertThatThrownBy(() -> TlsPin.parse("sha256:" + "zz".repeat(32))).hasMessageContaining("64 hex digits");
    }
}
