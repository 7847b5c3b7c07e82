package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The DSB interval reaches the guest in its own duration grammar, exactly. */
class DsbOptionsTest {
    @Test
    void intervalsUseTheLargestExactGuestUnit() {
        assertThat(DsbOptions.guestDuration(5_000_000_000L)).isEqualTo("5s");
        assertThat(DsbOptions.guestDuration(1_500_000_000L)).isEqualTo("1500ms");
        assertThat(DsbOptions.guestDuration(250_000_000L)).isEqualTo("250ms");
        assertThat(DsbOptions.guestDuration(100_000L)).isEqualTo("100us");
        assertThat(DsbOptions.guestDuration(1_234_567L)).isEqualTo("1234567ns");
    }
}
