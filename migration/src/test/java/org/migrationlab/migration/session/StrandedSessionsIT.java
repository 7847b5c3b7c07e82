package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.RawPeer;
import org.migrationlab.migration.testing.SourceStreams;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The stranded-sessions probe of the fault-tolerance issue: sources that go silent in pre-copy — the link
 * drops without a FIN, so their connections stay open and say nothing, not even a heartbeat — must not keep
 * the destination's migration slots. A destination of four slots takes four such sources, refuses a fifth
 * while they hold its slots, ends each of them after the peer timeout and frees its slot, and then, with the
 * four silent connections still open, a fifth migration is accepted and arrives.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class StrandedSessionsIT {
    private static final int WAIT_MILLIS = 10_000;
    private static final int SLOTS = 4;
    private static final long PEER_TIMEOUT_MILLIS = 900;
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 31, "wss=4M", "passes=1000");

    @Test
    void sourcesThatFallSilentInPrecopyFreeTheirSlotsAndAFifthMigrationArrives() throws Exception {
        // The reply timeout is far away: the liveness check (no heartbeat within the peer timeout) frees the slots.
        TransportConfig transport = TransportConfig.of(LoopbackMigration.SECRET).withPeerTimeout(PEER_TIMEOUT_MILLIS);
        LoopbackMigration.Reference reference = LoopbackMigration.reference(GUEST);
        SourceStreams stream = SourceStreams.get();
        List<RawPeer> silent = new ArrayList<>();
        try (LoopbackDestination destination = new LoopbackDestination(transport, SLOTS, 1L << 30, 60_000)) {
            List<UUID> ids = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < SLOTS; i++) {
                UUID id = UUID.randomUUID();
                RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS);
                silent.add(source);
                source.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                // Into pre-copy round 0: the config (the destination boots the guest) and a batch of pages;
                // then nothing more, and the connection stays open.
                source.sendBytes(SourceStreams.concat(stream.guestConfig(MigrationMode.PRECOPY), stream.precopyPages()));
                ids.add(id);
            }
            assertThat(destination.destinations().guestsHeld()).as("the silent sources hold every slot").isEqualTo(SLOTS);
            try (RawPeer fifth = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                assertThatThrownBy(() -> fifth.handshakeAsSource(UUID.randomUUID(), MigrationRecord.Channel.BULK,
                        LoopbackMigration.SECRET)).hasMessageContaining("holds at most " + SLOTS + " guests at once");
            }

            for (UUID id : ids) {
                Throwable failure = destination.failure(id, WAIT_MILLIS);
                assertThat(failure).isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(AbortReason.TIMEOUT));
                // the silence measured, at least the 0.9 s timeout (more when the event loop ran late)
                assertThat(failure).hasMessageFindingMatch("peer silent for (0\\.9|[1-9]\\.\\d) s: nothing from the"
                        + " source on the BULK connection");
                destination.destinations().released(id).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            double freedAfter = (System.nanoTime() - start) / 1e9;
            assertThat(destination.destinations().guestsHeld()).as("every slot is free again").isZero();
            assertThat(freedAfter).as("seconds until the last slot was free").isLessThan(PEER_TIMEOUT_MILLIS / 1000.0 + 3);
            System.out.printf("%d sources silent in pre-copy: every slot free after %.2f s%n", SLOTS, freedAfter);

            // The silent connections are still open on this side; a fifth migration is accepted and arrives.
            CompletableFuture<DestinationSession> next = destination.nextSession();
            LoopbackMigration.Result result = LoopbackMigration.migrateTo(destination.address(), next, GUEST,
                    MigrationConfig.defaults(MigrationMode.PRECOPY), reference.finalProgress() / 4, transport);
            assertThat(result.report().completed()).as(result.report().error()).isTrue();
            assertThat(result.destination()).isEqualTo(reference.outcome());
        } finally {
            for (RawPeer source : silent) {
                source.close();
            }
        }
    }
}
