package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migrationlab.migration.testing.SourceStreams.GUEST_PAGES;
import static org.migrationlab.migration.testing.SourceStreams.concat;
import static org.migrationlab.migration.testing.SourceStreams.frames;
import static org.migrationlab.migration.testing.SourceStreams.guestStateFrame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.DeviceState;
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

    /** One hostile state: a fragment of the refusal's message and the state. */
    private record HostileState(String name, String refusal, GuestState state) {
    }

    /**
     * The CPU state that killed the destination's process (GDTR limit 0xffff, FS 0x8), a request ring whose
     * model holds a 2 GiB value, and a console whose unfinished line is over its limit: each is refused with
     * BAD_STATE, and then a real migration arrives at the same destination.
     */
    @Test
    void hostileStatesAreRefusedAndTheNextMigrationArrives() throws Exception {
        SourceStreams source = SourceStreams.get();
        GuestState state = source.guestState();
        List<HostileState> hostile = List.of(
                new HostileState("CPU", "CPU state: FS 0x8", new GuestState(HostileCpuStates.all(SourceStreams.RAM_BYTES)
                        .getFirst().applyTo(state.cpu()), state.devices(), state.ballooned())),
                new HostileState("ring", "ring state: model entry for key 0 with a value of 2147483640 bytes",
                        withDevice(state, ringWithValueOf(Integer.MAX_VALUE - 7))),
                new HostileState("console", "unfinished line of 5000 bytes", withDevice(state, consoleWithLineOf(5000))));
        byte[] allPending = new byte[(int) (GUEST_PAGES / 8)];
        Arrays.fill(allPending, (byte) 0xff);
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 4, 1L << 30, 5_000)) {
            for (HostileState h : hostile) {
                LoopbackDestination.SourceEnding ending = destination.playSource(UUID.randomUUID(), concat(
                        source.guestConfig(MigrationMode.POSTCOPY), guestStateFrame(h.state()),
                        frames(new MigrationRecord.SwitchOver(MigrationMode.POSTCOPY, GUEST_PAGES, allPending))),
                        WAIT_MILLIS);
                assertThat(ending.failure()).as(h.name()).isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(AbortReason.BAD_STATE)).hasMessageContaining(h.refusal());
                assertThat(ending.wire().abort().reason()).isEqualTo(AbortReason.BAD_STATE);
            }

            CompletableFuture<DestinationSession> next = destination.nextSession();
            long startAt = LoopbackMigration.reference(GUEST).finalProgress() / 4;
            LoopbackMigration.Result result = LoopbackMigration.migrateTo(destination.address(), next, GUEST,
                    MigrationConfig.defaults(MigrationMode.POSTCOPY), startAt, TransportConfig.of(LoopbackMigration.SECRET));
            assertThat(result.report().completed()).as(result.report().error()).isTrue();
            assertThat(result.destination()).isEqualTo(LoopbackMigration.reference(GUEST).outcome());
        }
    }

    private static GuestState withDevice(GuestState state, DeviceState replacement) {
        List<DeviceState> devices = new ArrayList<>(state.devices());
        devices.replaceAll(d -> d.deviceId() == replacement.deviceId() ? replacement : d);
        return new GuestState(state.cpu(), devices, state.ballooned());
    }

    /** A request-ring state (layout 1) of the default stream whose model holds key 0 with a value of this length. */
    private static DeviceState ringWithValueOf(long valueLength) {
        ByteBuffer out = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(20_000).putLong(4096).putInt(512).putLong(7).putLong(0).putLong(0).putLong(0);
        out.putInt(0).putInt(0); // no mismatch text, no awaited request
        out.putInt(1).putLong(0).putLong(1).putLong(valueLength);
        return new DeviceState(0xE4, 1, Arrays.copyOf(out.array(), out.position()));
    }

    /** A console state (layout 1) with nothing kept and an unfinished line of this many bytes. */
    private static DeviceState consoleWithLineOf(int lineBytes) {
        ByteBuffer out = ByteBuffer.allocate(16 + lineBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(0).putInt(0).putInt(lineBytes).put(new byte[lineBytes]);
        return new DeviceState(0xE1, 1, out.array());
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
