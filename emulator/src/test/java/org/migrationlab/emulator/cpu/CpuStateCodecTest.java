package org.migrationlab.emulator.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CpuStateCodecTest {
    @Property
    void roundTripsEveryRegister(@ForAll @Size(value = CpuState.FIELD_COUNT) long[] registers) {
        CpuState state = CpuState.fromArray(registers);
        assertThat(CpuStateCodec.decode(CpuStateCodec.encode(state))).isEqualTo(state);
    }

    @Property
    void anyFlippedBitIsRejected(@ForAll @Size(value = CpuState.FIELD_COUNT) long[] registers,
                                 @ForAll @IntRange(min = 0, max = CpuStateCodec.ENCODED_BYTES * 8 - 1) int bit) {
        byte[] encoded = CpuStateCodec.encode(CpuState.fromArray(registers));
        encoded[bit / 8] ^= (byte) (1 << (bit % 8));
        assertThatThrownBy(() -> CpuStateCodec.decode(encoded)).isInstanceOf(InvalidCpuStateException.class);
    }

    @Test
    void truncatedOrOversizedStateIsRejectedWithItsLength() {
        byte[] encoded = CpuStateCodec.encode(CpuState.fromArray(new long[CpuState.FIELD_COUNT]));
        assertThatThrownBy(() -> CpuStateCodec.decode(Arrays.copyOf(encoded, encoded.length - 1)))
                .isInstanceOf(InvalidCpuStateException.class).hasMessageContaining("bytes");
        assertThatThrownBy(() -> CpuStateCodec.decode(Arrays.copyOf(encoded, encoded.length + 8)))
                .isInstanceOf(InvalidCpuStateException.class).hasMessageContaining("bytes");
    }

    @Test
    void wrongVersionIsNamed() {
        byte[] encoded = CpuStateCodec.encode(CpuState.fromArray(new long[CpuState.FIELD_COUNT]));
        encoded[4] = 9;
        assertThatThrownBy(() -> CpuStateCodec.decode(encoded)).hasMessageContaining("version 9");
    }
}
