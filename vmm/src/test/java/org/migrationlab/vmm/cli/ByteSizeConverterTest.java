package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine;

class ByteSizeConverterTest {

    @ParameterizedTest
    @CsvSource({
        "4096, 4096",
        "0, 0",
        "64K, 65536",
        "512M, 536870912",
        "1G, 1073741824",
        "2T, 2199023255552",
        "512m, 536870912",
        "1GiB, 1073741824",
        "8MB, 8388608",
        "' 16M ', 16777216",
    })
    void parsesBytesAndBinarySuffixes(String text, long bytes) {
        assertThat(ByteSizeConverter.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "12X", "-1", "1.5G", "0x100", "64 K", "1KK", "1Gi"})
    void refusesWhatIsNotASize(String text) {
        assertThatThrownBy(() -> ByteSizeConverter.parse(text))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("is not a size");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999", "9000000T", "9223372036854775807K"})
    void refusesSizesThatOverflow(String text) {
        assertThatThrownBy(() -> ByteSizeConverter.parse(text))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("too large");
    }
}
