package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.RawPeer;
import org.migrationlab.migration.testing.SourceStreams;

/**
 * A post-copy guest whose pages stop coming fails the migration on the destination, which tells the
 * source with ABORT(GUEST_FAILED) instead of leaving it waiting.
 */
class DestinationGuestFailureIT {
    @Test
    void aPageThatNeverArrivesEndsTheSessionWithGuestFailed() throws Exception {
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 1, 1L << 30, 300)) {
            List<byte[]> frames = SourceStreams.get().postcopyFrames();
            ByteArrayOutputStream upToSwitchOver = new ByteArrayOutputStream();
            for (byte[] frame : frames.subList(0, 3)) { // config, GUEST_STATE, SWITCH_OVER
                upToSwitchOver.writeBytes(frame);
            }
            UUID id = UUID.randomUUID();
            try (RawPeer source = RawPeer.connect(destination.address(), 10_000)) {
                source.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                source.sendBytes(upToSwitchOver.toByteArray()); // and then nothing: every page stays away
                RawPeer.Ending ending = source.readUntilClosed();
                assertThat(ending.records()).anyMatch(r -> r instanceof MigrationRecord.Resumed);
                assertThat(ending.abort()).isNotNull();
                assertThat(ending.abort().reason()).isEqualTo(AbortReason.GUEST_FAILED);
                assertThat(ending.abort().message()).contains("did not arrive within 300 ms");
            }
            Throwable failure = destination.failure(id, 10_000);
            assertThat(failure).isInstanceOf(ProtocolException.class);
            assertThat(((ProtocolException) failure).reason()).isEqualTo(AbortReason.GUEST_FAILED);
            assertThat(LoopbackDestination.vcpuThreadsLeftAfter(10_000)).isEmpty();
        }
    }
}
