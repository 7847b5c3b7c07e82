package org.migrationlab.guest.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

class OtherReferencesTest {

    @Test
    void quicksortIgnoresYieldCadenceButNotTheSeed() {
        long base = QuicksortReference.result(4, Map.of("size", "64K"));
        assertThat(QuicksortReference.result(4, Map.of("size", "64K", "yield-every", "1"))).isEqualTo(base);
        assertThat(QuicksortReference.result(5, Map.of("size", "64K"))).isNotEqualTo(base);
        assertThatThrownBy(() -> QuicksortReference.result(4, Map.of("procs", "129"))).hasMessageContaining("procs=129");
    }

    @Test
    void kcompileIsDeterministicPerSeed() {
        assertThat(KcompileReference.result(9, Map.of("ops", "5000")))
                .isEqualTo(KcompileReference.result(9, Map.of("ops", "5000")))
                .isNotEqualTo(KcompileReference.result(10, Map.of("ops", "5000")));
    }

    @Test
    void streamIsLittleEndianSplitmixOutputs() {
        Splitmix64 random = new Splitmix64(3);
        byte[] bytes = new byte[13];
        long w0 = random.next();
        long w1 = random.next();
        for (int i = 0; i < 13; i++) {
            bytes[i] = (byte) ((i < 8 ? w0 : w1) >>> (8 * (i % 8)));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        assertThat(StreamReference.crc32c(3, 13)).isEqualTo(crc.getValue());
        assertThat(StreamReference.result(3, Map.of("bytes", "13", "chunk", "8", "ring", "1"))).isEqualTo(crc.getValue());
    }
}
