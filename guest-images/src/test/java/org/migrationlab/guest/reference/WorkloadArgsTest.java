package org.migrationlab.guest.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The guest's argument grammar (kernel/args.h), which the references must read the same way. */
class WorkloadArgsTest {

    @ParameterizedTest
    @CsvSource({"4096, 4096", "4K, 4096", "4k, 4096", "16M, 16777216", "1G, 1073741824", "2T, 2199023255552", "0, 0"})
    void sizes(String text, long bytes) {
        assertThat(args("x", text).size("x", -1)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "K", "4KB", "1.5M", "-4", "0x10", "4 K"})
    void malformedSizesAreRefused(String text) {
        assertThatThrownBy(() -> args("x", text).size("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1000", "0.5, 500", "0.05, 50", "0.125, 125", "1.0, 1000", "1.000, 1000", "0.999, 999"})
    void ratiosInPerMille(String text, int permille) {
        assertThat(args("x", text).permille("x", -1)).isEqualTo(permille);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".5", "0.", "0.1234", "1.5", "1.001", "2", "50%", "0,5"})
    void malformedRatiosAreRefused(String text) {
        assertThatThrownBy(() -> args("x", text).permille("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "42, 42", "0x2a, 42", "0X2A, 42", "18446744073709551615, -1"})
    void integersInDecimalOrHex(String text, long value) {
        assertThat(args("x", text).integer("x", 7)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+5", "-1", "0x", "12a", "18446744073709551616"})
    void malformedIntegersAreRefused(String text) {
        assertThatThrownBy(() -> args("x", text).integer("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void absentKeysTakeTheDefaultAndUnreadKeysAreRefused() {
        WorkloadArgs a = new WorkloadArgs("w", Map.of("typo", "1"));
        assertThat(a.size("wss", 99)).isEqualTo(99);
        assertThatThrownBy(a::rejectUnused).hasMessage("w: unknown argument 'typo'");
    }

    private static WorkloadArgs args(String key, String value) {
        return new WorkloadArgs("test", Map.of(key, value));
    }
}
