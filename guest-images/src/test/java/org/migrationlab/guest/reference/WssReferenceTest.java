package org.migrationlab.guest.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class WssReferenceTest {
    private static final WssReference.Config SMALL = new WssReference.Config(1 << 20, 500, WssReference.Pattern.RANDOM, 3, 100);

    @Test
    void sameSeedAndArgumentsGiveTheSameResult() {
        assertThat(WssReference.run(7, SMALL)).isEqualTo(WssReference.run(7, SMALL));
    }

    @Test
    void differentSeedsGiveDifferentResults() {
        assertThat(WssReference.run(7, SMALL).result()).isNotEqualTo(WssReference.run(8, SMALL).result());
    }

    @Test
    void everyAccessIsAReadOrAWrite() {
        WssReference.Outcome outcome = WssReference.run(3, SMALL);
        assertThat(outcome.reads() + outcome.writes()).isEqualTo(SMALL.pages() * SMALL.passes());
        assertThat(outcome.writes()).isBetween(300L, 468L); // 768 accesses, half of them writes
    }

    @Test
    void readOnlyRunHashesAnUntouchedZeroSet() {
        WssReference.Outcome outcome = WssReference.run(5, new WssReference.Config(8192, 0, WssReference.Pattern.SEQ, 2, 100));
        long zeros = Fnv64.OFFSET;
        for (int i = 0; i < 1024; i++) {
            zeros = Fnv64.fold(zeros, 0);
        }
        assertThat(outcome.writes()).isZero();
        assertThat(outcome.checksum()).isZero();
        assertThat(outcome.memoryHash()).isEqualTo(zeros);
        assertThat(outcome.result()).isEqualTo(Splitmix64.mix64(0) ^ zeros);
    }

    @Test
    void argumentsUseTheGuestsDefaultsAndGrammar() {
        assertThat(WssReference.Config.fromArgs(Map.of())).isEqualTo(WssReference.Config.defaults());
        assertThat(WssReference.Config.fromArgs(Map.of("wss", "64K", "write-ratio", "0.25", "pattern", "hotcold",
                "passes", "0x10", "hot", "1")))
                .isEqualTo(new WssReference.Config(65536, 250, WssReference.Pattern.HOTCOLD, 16, 1000));
    }

    @Test
    void hotSetIsAtLeastOnePage() {
        assertThat(new WssReference.Config(4096 * 5, 500, WssReference.Pattern.HOTCOLD, 1, 100).hotPages()).isEqualTo(1);
        assertThat(WssReference.Config.defaults().hotPages()).isEqualTo(409);
    }

    @Test
    void argumentsTheGuestWouldRefuseAreRefused() {
        assertThatThrownBy(() -> WssReference.Config.fromArgs(Map.of("write_ratio", "0.5")))
                .hasMessageContaining("unknown argument 'write_ratio'");
        assertThatThrownBy(() -> WssReference.Config.fromArgs(Map.of("pattern", "zigzag"))).hasMessageContaining("zigzag");
        assertThatThrownBy(() -> WssReference.Config.fromArgs(Map.of("write-ratio", "1.5"))).hasMessageContaining("ratio");
        assertThatThrownBy(() -> WssReference.Config.fromArgs(Map.of("passes", "0"))).hasMessageContaining("forever");
        assertThatThrownBy(() -> WssReference.Config.fromArgs(Map.of("wss", "100"))).hasMessageContaining("page");
    }
}
