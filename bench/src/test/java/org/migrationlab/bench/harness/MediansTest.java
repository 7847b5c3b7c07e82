package org.migrationlab.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The statistical median and the middle run: equal for odd counts, different for even ones. */
class MediansTest {

    @Test
    void oddCountsGiveTheMiddleValueEitherWay() {
        assertThat(Medians.of(5.0, 1.0, 3.0)).isEqualTo(3.0);
        assertThat(Medians.of(50L, 10L, 30L)).isEqualTo(30.0);
        assertThat(Medians.of(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
        assertThat(Medians.middleRun(5L, 1L, 3L)).isEqualTo(3L);
        assertThat(Medians.middleRun(5.0, 1.0, 3.0)).isEqualTo(3.0);
    }

    @Test
    void evenCountsAverageTheMiddlePairOrTakeTheUpperRun() {
        assertThat(Medians.of(4.0, 1.0, 3.0, 2.0)).isEqualTo(2.5);
        assertThat(Medians.of(1L, 2L)).isEqualTo(1.5);
        assertThat(Medians.middleRun(4L, 1L, 3L, 2L)).isEqualTo(3L);
        assertThat(Medians.middleRun(4.0, 1.0, 3.0, 2.0)).isEqualTo(3.0);
    }

    @Test
    void inputsAreLeftAloneAndEmptyInputIsAnError() {
        long[] runs = {3, 1, 2};
        Medians.middleRun(runs);
        assertThat(runs).containsExactly(3, 1, 2);
        assertThatThrownBy(() -> Medians.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Medians.middleRun(new long[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
