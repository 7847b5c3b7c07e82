package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.migrationlab.migration.protocol.MigrationRecord.Abort;
import org.migrationlab.migration.protocol.MigrationRecord.GuestStateRecord;
import org.migrationlab.migration.protocol.MigrationRecord.GuestConfig;
import org.migrationlab.migration.protocol.MigrationRecord.SwitchOver;

/** Context-free invariants of the records. */
class MigrationRecordTest {

    @Test
    void isPendingNeverWrapsHugePagesOntoSmallOnes() {
        SwitchOver switchOver = new SwitchOver(MigrationMode.POSTCOPY, 1, new byte[] {1});
        assertThat(switchOver.isPending(0)).isTrue();
        assertThat(switchOver.isPending(1)).isFalse();
        assertThat(switchOver.isPending(8)).isFalse();
        assertThat(switchOver.isPending(1L << 35)).isFalse(); // (int) (2^35 >>> 3) would be byte 0
        assertThat(switchOver.isPending(-8)).isFalse();
    }

    @Test
    void recordsWithByteArraysAreEqualByContent() {
        assertThat(new GuestStateRecord(new byte[] {1, 2})).isEqualTo(new GuestStateRecord(new byte[] {1, 2}))
                .hasSameHashCodeAs(new GuestStateRecord(new byte[] {1, 2})).isNotEqualTo(new GuestStateRecord(new byte[] {1}));
        assertThat(new SwitchOver(MigrationMode.HYBRID, 1, new byte[] {4}))
                .isEqualTo(new SwitchOver(MigrationMode.HYBRID, 1, new byte[] {4}))
                .isNotEqualTo(new SwitchOver(MigrationMode.POSTCOPY, 1, new byte[] {4}));
    }

    @Test
    void longAbortMessagesAreCutWithoutSplittingACharacter() {
        String message = "a".repeat(255) + "\uD83D\uDE00" + "x".repeat(2000);
        Abort abort = new Abort(AbortReason.GUEST_FAILED, message);
        assertThat(abort.message()).isEqualTo("a".repeat(255) + "...");
        assertThat(abort.message().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(MigrationRecord.MAX_MESSAGE_BYTES);
    }

    @Test
    void workloadNamesMustBeAsciiToBeSent() {
        assertThatThrownBy(() -> new GuestConfig(4096, 0, MigrationMode.PRECOPY, "wßs", Map.of()))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(AbortReason.MALFORMED));
    }
}
