package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migrationlab.migration.testing.SourceStreams.GUEST_PAGES;
import static org.migrationlab.migration.testing.SourceStreams.concat;
import static org.migrationlab.migration.testing.SourceStreams.frames;
import static org.migrationlab.migration.testing.SourceStreams.guestStateFrame;

import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.testing.HostileCpuStates;
import org.migrationlab.migration.engine.OutgoingMigration;
import org.migrationlab.migration.engine.SourceOutcome;
import org.migrationlab.migration.engine.StartTrigger;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.RawPeer;
import org.migrationlab.migration.testing.SourceStreams;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A destination holds several guests: what one source sends can end that source's migration, never the
 * destination. A refused hostile state leaves it serving the next migration; and its bound on guests
 * counts the guests that arrived and still run, not only the migrations under way.
 */
@Timeout(120)
class DestinationServesOnIT {
    private static final int WAIT_MILLIS = 10_000;
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 31, "wss=4M", "passes=1000");

    @Test
    void aCpuStateThatKilledTheProcessIsRefusedAndTheNextMigrationArrives() throws Exception {
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 4, 1L << 30, 5_000)) {
            SourceStreams source = SourceStreams.get();
            GuestState state = source.guestState();
            GuestState hostile = new GuestState(HostileCpuStates.all(SourceStreams.RAM_BYTES).getFirst()
                    .applyTo(state.cpu()), state.devices(), state.ballooned());
            byte[] allPending = new byte[(int) (GUEST_PAGES / 8)];
            Arrays.fill(allPending, (byte) 0xff);
            LoopbackDestination.SourceEnding ending = destination.playSource(UUID.randomUUID(), concat(
                    source.guestConfig(MigrationMode.POSTCOPY), guestStateFrame(hostile),
                    frames(new MigrationRecord.SwitchOver(MigrationMode.POSTCOPY, GUEST_PAGES, allPending))), WAIT_MILLIS);
            assertThat(ending.failure()).isInstanceOfSatisfying(ProtocolException.class,
                    e -> assertThat(e.reason()).isEqualTo(AbortReason.BAD_STATE)).hasMessageContaining("CPU state: FS 0x8");
            assertThat(ending.wire().abort().reason()).isEqualTo(AbortReason.BAD_STATE);

            CompletableFuture<DestinationSession> next = destination.nextSession();
            long startAt = LoopbackMigration.reference(GUEST).finalProgress() / 4;
            LoopbackMigration.Result result = LoopbackMigration.migrateTo(destination.address(), next, GUEST,
                    MigrationConfig.defaults(MigrationMode.POSTCOPY), startAt, TransportConfig.of(LoopbackMigration.SECRET));
            assertThat(result.report().completed()).as(result.report().error()).isTrue();
            assertThat(result.destination()).isEqualTo(LoopbackMigration.reference(GUEST).outcome());
        }
    }

    @Test
    void theBoundOnGuestsCountsArrivedGuestsUntilTheyEnd() throws Exception {
        MachineConfig longRunning = LoopbackMigration.config(16L << 20, "wss", 32, "wss=1M", "passes=1000000");
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 1, 1L << 30, 5_000);
             MigrationClient client = new MigrationClient(TransportConfig.of(LoopbackMigration.SECRET))) {
            CompletableFuture<DestinationSession> incoming = destination.nextSession();
            SourceOutcome outcome = OutgoingMigration.run(new OutgoingMigration.Request(LoopbackMigration.MACHINES,
                    longRunning, LoopbackMigration.KERNEL, new StartTrigger.AtProgress(1000),
                    MigrationConfig.defaults(MigrationMode.POSTCOPY), client, destination.address(), 5_000),
                    new OutgoingMigration.Observer() { });
            assertThat(outcome).isInstanceOf(SourceOutcome.Migrated.class);
            DestinationSession.Arrival arrival = incoming.get(WAIT_MILLIS, TimeUnit.MILLISECONDS).arrival()
                    .get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            try {
                assertThat(arrival.guest().ended()).as("the arrived guest still runs").isNotDone();
                assertThat(destination.destinations().guestsHeld()).isEqualTo(1);
                try (RawPeer another = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                    assertThatThrownBy(() -> another.handshakeAsSource(UUID.randomUUID(),
                            MigrationRecord.Channel.BULK, LoopbackMigration.SECRET))
                            .hasMessageContaining("holds at most 1 guests at once");
                }
            } finally {
                arrival.guest().close();
            }
            destination.destinations().released(incoming.get().id()).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(destination.destinations().guestsHeld()).isZero();
            try (RawPeer next = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                next.handshakeAsSource(UUID.randomUUID(), MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
            }
        }
    }

}
