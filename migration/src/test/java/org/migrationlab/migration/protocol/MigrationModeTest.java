package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The modes' wire codes and labels are protocol and user interface; what each mode does is the engine's. */
class MigrationModeTest {
    @Test
    void codesAndLabelsArePinned() {
        assertThat(MigrationMode.values()).extracting(MigrationMode::code).containsExactly(0, 1, 2, 3);
        assertThat(MigrationMode.values()).extracting(MigrationMode::label)
                .containsExactly("precopy", "postcopy", "hybrid", "stop-and-copy");
        for (MigrationMode mode : MigrationMode.values()) {
            assertThat(MigrationMode.ofCode(mode.code())).isEqualTo(mode);
            assertThat(MigrationMode.ofLabel(mode.label())).isEqualTo(mode);
        }
        assertThat(MigrationMode.ofLabel("stop_and_copy")).isNull();
        assertThatThrownBy(() -> MigrationMode.ofCode(4)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unknown migration mode 4");
    }

    @Test
    void stopAndCopyHasNeitherLiveRoundsNorAPostcopyPhase() {
        assertThat(MigrationMode.STOP_AND_COPY.hasLiveRounds()).isFalse();
        assertThat(MigrationMode.STOP_AND_COPY.hasPostcopyPhase()).isFalse();
        assertThat(MigrationMode.PRECOPY.hasLiveRounds()).isTrue();
        assertThat(MigrationMode.PRECOPY.hasPostcopyPhase()).isFalse();
        assertThat(MigrationMode.POSTCOPY.hasLiveRounds()).isFalse();
        assertThat(MigrationMode.POSTCOPY.hasPostcopyPhase()).isTrue();
        assertThat(MigrationMode.HYBRID.hasLiveRounds()).isTrue();
        assertThat(MigrationMode.HYBRID.hasPostcopyPhase()).isTrue();
    }
}
