package org.migrationlab.vmm.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Numbers as people read them: grouped counts, SI rates, scaled durations, binary sizes, hex. */
class HumanUnitsTest {

    @Test
    void groupsCounts() {
        assertThat(HumanUnits.count(12_345_678)).isEqualTo("12,345,678");
        assertThat(HumanUnits.count(7)).isEqualTo("7");
    }

    @Test
    void scalesRatesWithSiPrefixes() {
        assertThat(HumanUnits.rate(0)).isEqualTo("0");
        assertThat(HumanUnits.rate(12.5)).isEqualTo("12.5");
        assertThat(HumanUnits.rate(1_234_567)).isEqualTo("1.23 M");
        assertThat(HumanUnits.rate(469_722.9)).isEqualTo("470 k");
        assertThat(HumanUnits.rate(3.6e9)).isEqualTo("3.60 G");
        assertThat(HumanUnits.rate(Double.NaN)).isEqualTo("-");
    }

    @Test
    void scalesDurations() {
        assertThat(HumanUnits.duration(999)).isEqualTo("999 ns");
        assertThat(HumanUnits.duration(1_500)).isEqualTo("1.50 µs");
        assertThat(HumanUnits.duration(279_041_000)).isEqualTo("279.04 ms");
        assertThat(HumanUnits.duration(3_500_000_000L)).isEqualTo("3.500 s");
    }

    @Test
    void namesWholeBinaryUnits() {
        assertThat(HumanUnits.bytes(512L << 20)).isEqualTo("512 MiB");
        assertThat(HumanUnits.bytes(1L << 30)).isEqualTo("1 GiB");
        assertThat(HumanUnits.bytes(4097)).isEqualTo("4,097 bytes");
        assertThat(HumanUnits.bytes(0)).isEqualTo("0 bytes");
    }

    @Test
    void writesSixteenHexDigits() {
        assertThat(HumanUnits.hex64(0xdeadbeefL)).isEqualTo("0x00000000deadbeef");
        assertThat(HumanUnits.hex64(-1)).isEqualTo("0xffffffffffffffff");
    }
}
