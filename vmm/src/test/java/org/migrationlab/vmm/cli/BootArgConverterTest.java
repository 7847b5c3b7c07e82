package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class BootArgConverterTest {

    @Test
    void splitsAtTheFirstEqualsSign() {
        assertThat(BootArgConverter.parse("wss=128M")).isEqualTo(Map.entry("wss", "128M"));
        assertThat(BootArgConverter.parse("write-ratio=0.5")).isEqualTo(Map.entry("write-ratio", "0.5"));
        assertThat(BootArgConverter.parse("flag=")).isEqualTo(Map.entry("flag", ""));
    }

    @Test
    void refusesAPairWithoutKeyOrEqualsSign() {
        assertThatThrownBy(() -> BootArgConverter.parse("wss")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("'wss' is not key=value (like wss=128M)");
        assertThatThrownBy(() -> BootArgConverter.parse("=1")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("is not key=value");
    }

    @Test
    void refusesKeysTheGuestCannotParseAndValuesWithEqualsSigns() {
        assertThatThrownBy(() -> BootArgConverter.parse("w ss=1")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'w ss' is not a valid argument name");
        assertThatThrownBy(() -> BootArgConverter.parse("a=b=c")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("may not contain '='");
    }
}
