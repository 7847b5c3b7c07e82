package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.testing.ForwardingMigratable;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.MachineDecorator;
import org.migrationlab.migration.testing.RawPeer;
import org.migrationlab.migration.testing.SourceStreams;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The destination's side of post-copy recovery (PROTOCOL §5.6), against a source played by hand: after
 * the link breaks, the guest waits; a reconnection with a newer epoch gets the bitmap of the pages that
 * arrived; a reconnection of a stale epoch is refused without disturbing the migration; and a source that
 * never comes back fails the migration at the destination's recover timeout, not before and not never.
 */
@Timeout(60)
class DestinationRecoveryIT {
    /** The raw peers here send no heartbeat, and liveness is not what these tests check. */
    private static final TransportConfig PATIENT = TransportConfig.of(LoopbackMigration.SECRET).withPeerTimeout(60_000);

    private static final long RECOVER_TIMEOUT_MILLIS = 4_000;

    @Test
    void aReconnectionGetsTheReceivedPagesAStaleOneIsRefusedAndTheRecoverTimeoutEndsTheWait() throws Exception {
        List<byte[]> frames = SourceStreams.get().postcopyFrames();
        ByteArrayOutputStream upToPush = new ByteArrayOutputStream();
        for (byte[] frame : frames.subList(0, 4)) { // config, GUEST_STATE, SWITCH_OVER, one pushed batch
            upToPush.writeBytes(frame);
        }
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = new LoopbackDestination(PATIENT, 1,
                1L << 30, 60_000, RECOVER_TIMEOUT_MILLIS)) {
            try (RawPeer first = RawPeer.connect(destination.address(), 10_000)) {
                first.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                first.sendBytes(upToPush.toByteArray());
                await(first, MigrationRecord.Resumed.class);
                // The link breaks, in order (a reset could discard the batch unread): the guest faults on pages
                // that cannot come, and waits.
                first.shutdownOutput();
                first.readUntilClosed();
            }

            long lostAt;
            try (RawPeer second = RawPeer.connect(destination.address(), 10_000)) {
                second.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                second.send(new MigrationRecord.Recover(1));
                MigrationRecord.Recovered recovered = await(second, MigrationRecord.Recovered.class);
                assertThat(recovered.epoch()).isEqualTo(1);
                PageBitmap received = PageBitmap.fromByteArray(recovered.receivedBitmap(), SourceStreams.GUEST_PAGES);
                // The pushed batch: page 0 and the stream's chosen pages, nothing else.
                assertThat(received.cardinality()).isEqualTo(recovered.receivedCount()).isEqualTo(8);
                assertThat(received.get(0)).isTrue();
                assertThat(received.get(SourceStreams.GUEST_PAGES - 1)).isTrue();

                try (RawPeer stale = RawPeer.connect(destination.address(), 10_000)) {
                    stale.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                    stale.send(new MigrationRecord.Recover(1));
                    RawPeer.Ending ending = stale.readUntilClosed();
                    assertThat(ending.abort()).isNotNull();
                    assertThat(ending.abort().reason()).isEqualTo(AbortReason.BAD_STATE);
                    assertThat(ending.abort().message()).contains("stale recovery epoch 1");
                }
                assertThat(destination.destinations().guestsHeld()).as("the refusal left the migration alone").isEqualTo(1);
                lostAt = System.nanoTime();
            } // and breaks again, for good

            Throwable failure = destination.failure(id, 20_000);
            double waited = (System.nanoTime() - lostAt) / 1e9;
            assertThat(failure).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("did not reconnect within " + RECOVER_TIMEOUT_MILLIS + " ms");
            assertThat(((ProtocolException) failure).reason()).isEqualTo(AbortReason.TIMEOUT);
            assertThat(waited).as("the guest waited for the recovery, s").isGreaterThanOrEqualTo(RECOVER_TIMEOUT_MILLIS / 1e3 - 0.1);
            assertThat(LoopbackDestination.vcpuThreadsLeftAfter(10_000)).isEmpty();
        }
    }

    /**
     * The source pushes on the recovered bulk connection as soon as it has the bitmap, before its urgent
     * connection is back: those pages and PAGES_DONE count (they were once dropped as "paused", and the
     * destination then waited for ever for pages the source had marked sent).
     */
    @Test
    void pagesOnTheRecoveredBulkConnectionBeforeItsUrgentOneCountAndTheMigrationCompletes() throws Exception {
        SourceStreams streams = SourceStreams.get();
        List<byte[]> frames = streams.postcopyFrames();
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = new LoopbackDestination(PATIENT, 1,
                1L << 30, 60_000, 30_000)) {
            CompletableFuture<DestinationSession> session = destination.nextSession();
            try (RawPeer bulk = RawPeer.connect(destination.address(), 10_000);
                 RawPeer urgent = RawPeer.connect(destination.address(), 10_000)) {
                bulk.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                urgent.handshakeAsSource(id, MigrationRecord.Channel.URGENT, LoopbackMigration.SECRET);
                // config, GUEST_STATE, SWITCH_OVER with every page pending: the guest faults at once
                bulk.sendBytes(SourceStreams.concat(frames.subList(0, 3).toArray(byte[][]::new)));
                await(bulk, MigrationRecord.Resumed.class);
                bulk.shutdownOutput();
                urgent.shutdownOutput();
                bulk.readUntilClosed();
                urgent.readUntilClosed();
            }

            try (RawPeer bulk = RawPeer.connect(destination.address(), 10_000)) {
                bulk.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                bulk.send(new MigrationRecord.Recover(1));
                MigrationRecord.Recovered recovered = await(bulk, MigrationRecord.Recovered.class);
                PageBitmap received = PageBitmap.fromByteArray(recovered.receivedBitmap(), SourceStreams.GUEST_PAGES);
                for (byte[] frame : streams.pushOfEveryPageBut(received)) {
                    bulk.sendBytes(frame);
                }
                long lastPage = SourceStreams.GUEST_PAGES - 1;
                assertThat(session.get(10, TimeUnit.SECONDS).awaitArrived(lastPage, 10_000))
                        .as("the last page pushed on the recovered bulk connection, before its urgent one, arrived")
                        .isTrue();
                try (RawPeer urgent = RawPeer.connect(destination.address(), 10_000)) {
                    urgent.handshakeAsSource(id, MigrationRecord.Channel.URGENT, LoopbackMigration.SECRET);
                    urgent.send(new MigrationRecord.Recover(1));
                    MigrationRecord.Complete complete = awaitPast(bulk, MigrationRecord.Complete.class,
                            MigrationRecord.DestinationStats.class);
                    assertThat(complete.pagesReceived()).isEqualTo(SourceStreams.GUEST_PAGES);
                }
            }
            assertThat(session.get().arrival()).succeedsWithin(10, TimeUnit.SECONDS);
            session.get().arrival().join().guest().close(); // the arrived guest is this test's to end
            assertThat(LoopbackDestination.vcpuThreadsLeftAfter(10_000)).isEmpty();
        }
    }

    /**
     * The recovered bulk connection breaks before its urgent one arrives: here it brings a damaged page, and the
     * destination closes it so that the source recovers again. The urgent connection of that epoch then finds
     * no bulk connection to join. It is answered as a lost link (CONNECTION_LOST), which a source recovers from,
     * and the migration waits for a newer epoch; it was once refused as a bad state, which a source takes as the
     * destination's refusal for good: the source gave up while the guest waited here, paused, for pages only the
     * source had (RandomFaultPlansIT: "close urgent at switch-over" then "corrupt 1 page at postcopy 4%", the
     * damaged page pushed on the recovered bulk connection ahead of the urgent RECOVER).
     */
    @Test
    void anUrgentConnectionThatComesAfterItsRecoveredBulkOneBrokeIsALostLinkAndTheNextRecoveryCompletes()
            throws Exception {
        SourceStreams streams = SourceStreams.get();
        List<byte[]> frames = streams.postcopyFrames();
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = new LoopbackDestination(PATIENT, 1,
                1L << 30, 60_000, 30_000)) {
            CompletableFuture<DestinationSession> session = destination.nextSession();
            try (RawPeer bulk = RawPeer.connect(destination.address(), 10_000);
                 RawPeer urgent = RawPeer.connect(destination.address(), 10_000)) {
                bulk.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                urgent.handshakeAsSource(id, MigrationRecord.Channel.URGENT, LoopbackMigration.SECRET);
                // config, GUEST_STATE, SWITCH_OVER with every page pending: the guest faults at once
                bulk.sendBytes(SourceStreams.concat(frames.subList(0, 3).toArray(byte[][]::new)));
                await(bulk, MigrationRecord.Resumed.class);
                urgent.shutdownOutput(); // the link breaks: the destination pauses and closes both connections
                urgent.readUntilClosed();
                bulk.shutdownOutput();
                bulk.readUntilClosed();
            }

            try (RawPeer bulk = RawPeer.connect(destination.address(), 10_000)) {
                bulk.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                bulk.send(new MigrationRecord.Recover(1));
                await(bulk, MigrationRecord.Recovered.class);
                // The source pushes at once, before its urgent connection is back; the first page arrives damaged.
                byte[] damaged = SourceStreams.batch(SendReason.PUSH,
                        new long[] {3}, new byte[][] {streams.rawPage()},
                        PageCodec.Compression.NONE);
                damaged[damaged.length - 100] ^= 0x10; // in the raw page's data: its CRC32C no longer matches
                bulk.sendBytes(damaged);
                RawPeer.Ending bulkEnding = bulk.readUntilClosed();
                assertThat(bulkEnding.closedByPeer()).as("the destination closed the recovered bulk connection: %s",
                        bulkEnding.how()).isTrue();
            }
            try (RawPeer urgent = RawPeer.connect(destination.address(), 10_000)) {
                urgent.handshakeAsSource(id, MigrationRecord.Channel.URGENT, LoopbackMigration.SECRET);
                urgent.send(new MigrationRecord.Recover(1));
                RawPeer.Ending ending = urgent.readUntilClosed();
                assertThat(ending.abort()).as("the late urgent connection's answer: %s", ending).isNotNull();
                assertThat(ending.abort().reason()).as("a lost link, which a source recovers from: %s", ending.abort())
                        .isEqualTo(AbortReason.CONNECTION_LOST);
            }
            assertThat(session.get(10, TimeUnit.SECONDS).arrival()).as("the migration waits for its source").isNotDone();
            assertThat(destination.destinations().guestsHeld()).isEqualTo(1);

            // The source recovers again, and the migration completes.
            try (RawPeer bulk = RawPeer.connect(destination.address(), 10_000)) {
                bulk.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                bulk.send(new MigrationRecord.Recover(2));
                MigrationRecord.Recovered recovered = await(bulk, MigrationRecord.Recovered.class);
                assertThat(recovered.epoch()).isEqualTo(2);
                PageBitmap received = PageBitmap.fromByteArray(recovered.receivedBitmap(), SourceStreams.GUEST_PAGES);
                assertThat(received.get(3)).as("the damaged page did not count as arrived").isFalse();
                try (RawPeer urgent = RawPeer.connect(destination.address(), 10_000)) {
                    urgent.handshakeAsSource(id, MigrationRecord.Channel.URGENT, LoopbackMigration.SECRET);
                    urgent.send(new MigrationRecord.Recover(2));
                    for (byte[] frame : streams.pushOfEveryPageBut(received)) {
                        bulk.sendBytes(frame);
                    }
                    MigrationRecord.Complete complete = awaitPast(bulk, MigrationRecord.Complete.class,
                            MigrationRecord.DestinationStats.class);
                    assertThat(complete.pagesReceived()).isEqualTo(SourceStreams.GUEST_PAGES);
                }
            }
            assertThat(session.get().arrival()).succeedsWithin(10, TimeUnit.SECONDS);
            session.get().arrival().join().guest().close(); // the arrived guest is this test's to end
            assertThat(LoopbackDestination.vcpuThreadsLeftAfter(10_000)).isEmpty();
        }
    }

    private static <T extends MigrationRecord> T awaitPast(RawPeer peer, Class<T> type,
                                                           Class<? extends MigrationRecord> skipped) throws IOException {
        while (true) {
            MigrationRecord record = peer.receive();
            if (type.isInstance(record)) {
                return type.cast(record);
            }
            // FAULT_STAGES is optional and goes with the stats: skipped like them.
            if (!skipped.isInstance(record) && !(record instanceof MigrationRecord.PageRequest)
                    && !(record instanceof MigrationRecord.FaultStages)) {
                throw new IOException("expected " + type.getSimpleName() + ", got " + record);
            }
        }
    }

    /**
     * The next record of {@code type}, past the page requests of the faulting guest and the READY that answers
     * the config sent with the rest.
     */
    private static <T extends MigrationRecord> T await(RawPeer peer, Class<T> type) throws IOException {
        while (true) {
            MigrationRecord record = peer.receive();
            if (type.isInstance(record)) {
                return type.cast(record);
            }
            if (!(record instanceof MigrationRecord.PageRequest) && !(record instanceof MigrationRecord.Ready)) {
                throw new IOException("expected " + type.getSimpleName() + ", got " + record);
            }
        }
    }

    /**
     * The link breaks as a post-copy migration completes: every page is here and the destination is mapping
     * them when the source goes. The guest is here all the same. The arrival completes although COMPLETE cannot
     * be sent (it once threw on the closed connection, and the arrival never completed: the guest's place was
     * never freed, its end never reported). A recovery of the source learns that every page arrived, then gets
     * COMPLETE for its PAGES_DONE: while the pages are still being mapped, and after the guest ended here.
     */
    @Test
    void aLinkLostAsTheMigrationCompletesLeavesTheGuestArrivedAndTheRecoveryLearnsIt() throws Exception {
        SourceStreams streams = SourceStreams.get();
        UUID id = UUID.randomUUID();
        CompletableFuture<Void> linkGone = new CompletableFuture<>();
        MachineDecorator mappingWaitsForTheLinkToGo = new MachineDecorator(LoopbackMigration.MACHINES,
                machine -> new ForwardingMigratable(machine) {
                    @Override
                    public CompletableFuture<Void> mapFilledPages() {
                        return linkGone.thenCompose(gone -> super.mapFilledPages());
                    }
                });
        try (LoopbackDestination destination = new LoopbackDestination(PATIENT, 1, 1L << 30, 60_000, 30_000,
                new java.net.InetSocketAddress("127.0.0.1", 0), LostGuests.NONE, mappingWaitsForTheLinkToGo)) {
            CompletableFuture<DestinationSession> session = destination.nextSession();
            try (RawPeer bulk = RawPeer.connect(destination.address(), 10_000)) {
                bulk.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
                // config, GUEST_STATE, SWITCH_OVER with every page pending, then every page pushed and PAGES_DONE
                bulk.sendBytes(SourceStreams.concat(streams.postcopyFrames().subList(0, 3).toArray(byte[][]::new)));
                bulk.sendBytes(SourceStreams.concat(streams.pushOfEveryPageBut(new PageBitmap(SourceStreams.GUEST_PAGES))
                        .toArray(byte[][]::new)));
                await(bulk, MigrationRecord.Resumed.class);
                assertThat(session.get(10, TimeUnit.SECONDS).awaitArrived(SourceStreams.GUEST_PAGES - 1, 10_000))
                        .as("the last page arrived").isTrue();
                bulk.shutdownOutput();
                RawPeer.Ending ending = bulk.readUntilClosed();
                assertThat(ending.closedByPeer()).as("the destination closed its end too: %s", ending.how()).isTrue();
            }
            recoverAndLearnThatEveryPageArrived(destination, id, 1); // while the destination still maps them
            linkGone.complete(null);
            DestinationSession.Arrival arrival = session.get().arrival().get(10, TimeUnit.SECONDS);
            arrival.guest().close(); // the arrived guest is this test's to end
            assertThat(destination.destinations().released(id)).succeedsWithin(10, TimeUnit.SECONDS);
            recoverAndLearnThatEveryPageArrived(destination, id, 2); // and after its guest ended here
        }
    }

    /** A recovery of migration {@code id}, which arrived: RECOVERED with every page, then COMPLETE for PAGES_DONE. */
    private static void recoverAndLearnThatEveryPageArrived(LoopbackDestination destination, UUID id, int epoch)
            throws IOException {
        try (RawPeer recovery = RawPeer.connect(destination.address(), 10_000)) {
            recovery.handshakeAsSource(id, MigrationRecord.Channel.BULK, LoopbackMigration.SECRET);
            recovery.send(new MigrationRecord.Recover(epoch));
            MigrationRecord.Recovered recovered = await(recovery, MigrationRecord.Recovered.class);
            assertThat(recovered.receivedCount()).as("every page is here").isEqualTo(SourceStreams.GUEST_PAGES);
            recovery.send(new MigrationRecord.PagesDone(0));
            assertThat(await(recovery, MigrationRecord.Complete.class).pagesReceived())
                    .isEqualTo(SourceStreams.GUEST_PAGES);
        }
    }
}
