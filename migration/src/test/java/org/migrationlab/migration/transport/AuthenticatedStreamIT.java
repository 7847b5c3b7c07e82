package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.protocol.RecordCodec;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.RawPeer;

/**
 * Everything after the handshake is authenticated (PROTOCOL §3.2), against a real destination over
 * loopback: a relay that passes the real source's handshake through cannot speak in the source's name,
 * and a frame that is altered, replayed, dropped, unsealed or moved from the other connection ends the
 * session with ABORT(AUTH_FAILED) before its record is read. Peers in their handshake are bounded in
 * frame size, time and number.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class AuthenticatedStreamIT {
    private static final byte[] SECRET = LoopbackMigration.SECRET;
    private static final int WAIT_MILLIS = 10_000;
    private static final long MAX_RAM = 64L << 20;
    private static final MigrationRecord.GuestConfig CONFIG = new MigrationRecord.GuestConfig(4L << 20, 5,
            MigrationMode.PRECOPY, "wss", Map.of("wss", "1M"));

    private static LoopbackDestination destination() throws InterruptedException {
        return new LoopbackDestination(SECRET, 4, MAX_RAM, 300);
    }

    /** A destination that gives a peer 300 ms to complete its handshake. */
    private static LoopbackDestination impatientDestination() throws InterruptedException {
        return new LoopbackDestination(TransportConfig.of(SECRET).withHandshakeLimits(300, 16), 4, MAX_RAM, 300);
    }

    /** The encoded HELLO a source opens its bulk connection with, for a new migration. */
    private static byte[] sourceHello() {
        return RawPeer.encode(new Hello(Hello.CURRENT_VERSION, Role.SOURCE, Channel.BULK, UUID.randomUUID(),
                Authenticator.newNonce()));
    }

    private static ProtocolException failure(LoopbackDestination destination, UUID id) throws InterruptedException {
        Throwable failure = destination.failure(id, WAIT_MILLIS);
        assertThat(failure).isInstanceOf(ProtocolException.class);
        return (ProtocolException) failure;
    }

    // ---- a relay without the secret

    /**
     * A fake destination relays the real source's handshake to the real destination byte for byte — so the
     * destination takes it for the source — and then sends a GUEST_CONFIG of its own: unsealed, or sealed with
     * keys of a guessed secret. The destination refuses it; the relay never gets a record of its own in.
     */
    @ParameterizedTest(name = "relay's own frame {0}")
    @ValueSource(strings = {"unsealed", "sealed with a guessed secret"})
    void aRelayThatPassesTheSourcesHandshakeCannotSpeakForIt(String how) throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             ServerSocket relayListener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             MigrationClient source = new MigrationClient(TransportConfig.of(SECRET))) {
            CompletableFuture<String> relay = CompletableFuture.supplyAsync(() -> {
                try (RawPeer fromSource = RawPeer.accepted(relayListener.accept(), WAIT_MILLIS);
                     RawPeer toDestination = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                    byte[] sourceHello = fromSource.readFrame();
                    toDestination.sendUnsealed(sourceHello);
                    byte[] destinationHello = toDestination.readFrame();
                    fromSource.sendUnsealed(destinationHello);
                    toDestination.sendUnsealed(fromSource.readFrame()); // the real source's proof
                    fromSource.sendUnsealed(toDestination.readFrame()); // the destination's proof: accepted as the source
                    byte[] own = RawPeer.encode(CONFIG);
                    if (how.startsWith("sealed")) {
                        Hello s = (Hello) decode(sourceHello);
                        Hello d = (Hello) decode(destinationHello);
                        ChannelKeys guessed = new Authenticator("a-guessed-secret-0123456789abcdef".getBytes())
                                .keys(s, d, new byte[0]);
                        own = RawPeer.sealWith(own, guessed.frames(Role.SOURCE));
                    }
                    toDestination.sendUnsealed(own);
                    return toDestination.readUntilClosed().how();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            PeerChannel channel = source.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    relayListener.getLocalPort()), id, Channel.BULK, new IgnoringSink());
            assertThat(channel).as("the real source passed the handshake through the relay").isNotNull();

            ProtocolException refused = failure(destination, id);
            assertThat(refused.reason()).isEqualTo(AbortReason.AUTH_FAILED);
            assertThat(refused.detail()).containsAnyOf("unsealed frame", "does not carry the seal");
            assertThat(destination.sessions()).singleElement()
                    .satisfies(session -> assertThat(session.guestArgs()).as("the relay's GUEST_CONFIG").isEmpty());
            assertThat(relay.get(WAIT_MILLIS, TimeUnit.MILLISECONDS)).as("the relay cannot read the destination's ABORT")
                    .contains("seal");
        }
    }

    private static MigrationRecord decode(byte[] frame) {
        RecordCodec.Decoded decoded = RecordCodec.decode(io.netty.buffer.Unpooled.wrappedBuffer(frame));
        return ((RecordCodec.Decoded.Known) decoded).record();
    }

    // ---- altered, replayed, dropped, unsealed, moved frames

    /** A bit flipped in the record type, the body, the tag (bytes -24..-9) or the sequence number (-8..-1) of a sealed frame. */
    @ParameterizedTest(name = "bit flipped at byte {0}")
    @ValueSource(ints = {0, 8, 20, -40, -25, -24, -9, -8, -1})
    void aFlippedBitAfterTheHandshakeIsRefused(int position) throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            source.handshakeAsSource(id, Channel.BULK, SECRET);
            byte[] sealed = source.seal(RawPeer.encode(CONFIG));
            sealed[position >= 0 ? position : sealed.length + position] ^= 0x10;
            source.sendUnsealed(sealed);

            ProtocolException refused = failure(destination, id);
            assertThat(refused.reason()).isEqualTo(AbortReason.AUTH_FAILED);
            assertThat(refused.detail()).contains("does not carry the seal of this connection");
            assertThat(source.readUntilClosed().abort()).as("the ABORT the source reads").isNotNull()
                    .extracting(MigrationRecord.Abort::reason).isEqualTo(AbortReason.AUTH_FAILED);
        }
    }

    @Test
    void aReplayedFrameIsRefused() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            source.handshakeAsSource(id, Channel.BULK, SECRET);
            byte[] sealed = source.seal(RawPeer.encode(new MigrationRecord.ProgressHint("once")));
            source.sendUnsealed(sealed);
            source.sendUnsealed(sealed);

            ProtocolException refused = failure(destination, id);
            assertThat(refused.reason()).isEqualTo(AbortReason.AUTH_FAILED);
            assertThat(refused.detail()).startsWith("frame 0 where frame 1 was due");
        }
    }

    @Test
    void aDroppedFrameIsRefused() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            source.handshakeAsSource(id, Channel.BULK, SECRET);
            source.seal(RawPeer.encode(CONFIG)); // sealed as frame 0, never sent
            source.sendUnsealed(source.seal(RawPeer.encode(new MigrationRecord.ProgressHint("second"))));

            ProtocolException refused = failure(destination, id);
            assertThat(refused.detail()).startsWith("frame 1 where frame 0 was due");
        }
    }

    @Test
    void anUnsealedFrameAfterTheHandshakeIsRefused() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            source.handshakeAsSource(id, Channel.BULK, SECRET);
            source.sendUnsealed(RawPeer.encode(CONFIG));

            ProtocolException refused = failure(destination, id);
            assertThat(refused.reason()).isEqualTo(AbortReason.AUTH_FAILED);
            assertThat(refused.detail()).contains("an unsealed frame (record type 0x0003) after the handshake");
            assertThat(destination.sessions()).singleElement().satisfies(s -> assertThat(s.guestArgs()).isEmpty());
        }
    }

    /** A frame sealed for the urgent connection of the same migration, sent on its bulk connection. */
    @Test
    void aFrameMovedToTheOtherConnectionIsRefused() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             RawPeer bulk = RawPeer.connect(destination.address(), WAIT_MILLIS);
             RawPeer urgent = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            bulk.handshakeAsSource(id, Channel.BULK, SECRET);
            urgent.handshakeAsSource(id, Channel.URGENT, SECRET);
            bulk.sendUnsealed(urgent.seal(RawPeer.encode(new MigrationRecord.ProgressHint("for the urgent connection"))));

            ProtocolException refused = failure(destination, id);
            assertThat(refused.reason()).isEqualTo(AbortReason.AUTH_FAILED);
            assertThat(refused.detail()).contains("does not carry the seal of this connection");
        }
    }

    // ---- peers that have not proved the secret

    @Test
    void aLargeFrameBeforeAuthenticationIsRefusedFromItsHeader() throws Exception {
        try (LoopbackDestination destination = destination();
             RawPeer peer = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            peer.sendUnsealed(RawPeer.encode(new MigrationRecord.ProgressHint("x".repeat(300))));
            RawPeer.Ending ending = peer.readUntilClosed();

            assertThat(ending.closedByPeer()).isTrue();
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.MALFORMED);
            assertThat(ending.abort().message()).isEqualTo("frame body of 302 bytes exceeds the limit of "
                    + RecordCodec.MAX_FRAME_BODY_BEFORE_AUTH + " before authentication");
            assertThat(destination.sessions()).isEmpty();
        }
    }

    @Test
    void aPeerThatDoesNotCompleteItsHandshakeInTimeIsCutOff() throws Exception {
        try (LoopbackDestination destination = impatientDestination();
             RawPeer peer = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            long start = System.nanoTime();
            RawPeer.Ending ending = peer.readUntilClosed(); // says nothing at all

            assertThat(ending.closedByPeer()).isTrue();
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.TIMEOUT);
            assertThat(ending.abort().message()).isEqualTo("no handshake within 300 ms");
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS));
        }
    }

    @Test
    void aPeerThatSendsOnlyAHelloIsCutOffAtTheHandshakeTimeout() throws Exception {
        try (LoopbackDestination destination = impatientDestination();
             RawPeer peer = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            long start = System.nanoTime();
            peer.sendUnsealed(sourceHello());
            peer.expect(Hello.class); // then never its AUTH
            RawPeer.Ending ending = peer.readUntilClosed();

            assertThat(ending.closedByPeer()).isTrue();
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.TIMEOUT);
            assertThat(ending.abort().message()).isEqualTo("no handshake within 300 ms");
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS));
            assertThat(destination.sessions()).isEmpty();
        }
    }

    @Test
    void aPeerThatSendsHalfAFrameIsCutOffAtTheHandshakeTimeout() throws Exception {
        try (LoopbackDestination destination = impatientDestination();
             RawPeer peer = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            long start = System.nanoTime();
            byte[] hello = sourceHello();
            peer.sendUnsealed(java.util.Arrays.copyOf(hello, hello.length / 2)); // the rest never comes
            RawPeer.Ending ending = peer.readUntilClosed();

            assertThat(ending.closedByPeer()).isTrue();
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.TIMEOUT);
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS));
            assertThat(destination.sessions()).isEmpty();
        }
    }

    @Test
    void onlySoManyPeersMayBeInTheirHandshakeAtOnce() throws Exception {
        try (LoopbackDestination destination = new LoopbackDestination(TransportConfig.of(SECRET)
                .withHandshakeLimits(WAIT_MILLIS, 2), 4, MAX_RAM, 300);
             RawPeer first = RawPeer.connect(destination.address(), WAIT_MILLIS);
             RawPeer second = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            first.sendUnsealed(sourceHello());
            first.expect(Hello.class); // the destination counts the first as pending for sure
            second.sendUnsealed(sourceHello());
            second.expect(Hello.class);
            try (RawPeer third = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                RawPeer.Ending ending = third.readUntilClosed();
                assertThat(ending.closedByPeer()).as("the third is closed at once (%s)", ending.how()).isTrue();
                assertThat(ending.records()).isEmpty();
            }
            first.close(); // frees its place (the destination may see that a little later)
            try (RawPeer fourth = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                UUID id = UUID.randomUUID();
                awaitPlace(destination, fourth, id);
                assertThat(destination.opened(id)).isTrue();
            }
        }
    }

    /**
     * Completes a handshake as soon as the destination has a place for it: a closed peer's place is freed
     * when the destination sees the close, which it does on its own thread.
     */
    private static void awaitPlace(LoopbackDestination destination, RawPeer first, UUID id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        RawPeer peer = first;
        while (true) {
            try {
                peer.handshakeAsSource(id, Channel.BULK, SECRET);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                peer.close();
                peer = RawPeer.connect(destination.address(), WAIT_MILLIS);
            }
        }
    }

    // ---- the urgent connection

    @Test
    void aSecondUrgentConnectionIsRefusedAndItsCloseLeavesTheMigrationAlone() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             RawPeer bulk = RawPeer.connect(destination.address(), WAIT_MILLIS);
             RawPeer urgent = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            bulk.handshakeAsSource(id, Channel.BULK, SECRET);
            urgent.handshakeAsSource(id, Channel.URGENT, SECRET);
            try (RawPeer second = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                assertThatThrownBy(() -> second.handshakeAsSource(id, Channel.URGENT, SECRET))
                        .hasMessageContaining("has its urgent connection already");
                assertThat(second.readUntilClosed().closedByPeer()).isTrue();
            }
            // The migration goes on: its next mistake is what ends it, not the refused connection.
            bulk.send(CONFIG);
            bulk.send(CONFIG);
            ProtocolException ended = failure(destination, id);
            assertThat(ended.reason()).isEqualTo(AbortReason.UNEXPECTED_RECORD);
            assertThat(ended.detail()).startsWith("GUEST_CONFIG from the source in state RECEIVING");
        }
    }

    @Test
    void aBulkRecordOnTheUrgentConnectionIsRefused() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = destination();
             RawPeer bulk = RawPeer.connect(destination.address(), WAIT_MILLIS);
             RawPeer urgent = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            bulk.handshakeAsSource(id, Channel.BULK, SECRET);
            urgent.handshakeAsSource(id, Channel.URGENT, SECRET);
            bulk.send(CONFIG);
            urgent.send(new MigrationRecord.RoundEnd(0, 0));

            ProtocolException refused = failure(destination, id);
            assertThat(refused.reason()).isEqualTo(AbortReason.UNEXPECTED_RECORD);
            assertThat(refused.detail()).isEqualTo("ROUND_END on the urgent connection, which carries only demanded pages");
        }
    }

    // ---- authenticated but idle

    @Test
    void anAuthenticatedSourceThatFallsSilentIsCutOffAfterThePeerTimeoutWhileTheDestinationSendsHeartbeats()
            throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = new LoopbackDestination(TransportConfig.of(SECRET).withPeerTimeout(900),
                1, MAX_RAM, 60_000);
             RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            source.handshakeAsSource(id, Channel.BULK, SECRET);
            long start = System.nanoTime();

            RawPeer.Ending ending = source.readUntilClosed(); // sends nothing, not even a heartbeat
            double silentSeconds = (System.nanoTime() - start) / 1e9;

            ProtocolException ended = failure(destination, id);
            assertThat(ended.reason()).isEqualTo(AbortReason.TIMEOUT);
            assertThat(ended.detail()).matches("peer silent for 0\\.9 s: nothing from the source on the BULK connection "
                    + "\\(no heartbeat, no data\\)");
            assertThat(ending.closedByPeer()).isTrue();
            assertThat(ending.abort().message()).endsWith(ended.detail());
            assertThat(source.heartbeatsReceived()).as("the destination said it was alive every third of the timeout")
                    .isGreaterThanOrEqualTo(2);
            assertThat(silentSeconds).isBetween(0.85, 2.0);
            destination.destinations().released(id).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(destination.destinations().guestsHeld()).isZero();
        }
    }

    @Test
    void heartbeatsAloneKeepAnAuthenticatedConnectionOpenPastThePeerTimeout() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = new LoopbackDestination(TransportConfig.of(SECRET).withPeerTimeout(300),
                1, MAX_RAM, 60_000);
             RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            source.handshakeAsSource(id, Channel.BULK, SECRET);
            // For four peer timeouts the source says nothing but that it is alive, each time it hears the destination.
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                assertThat(source.receiveAny()).as("nothing but heartbeats; the connection stays open")
                        .isInstanceOf(MigrationRecord.Heartbeat.class);
                source.send(new MigrationRecord.Heartbeat());
            }
            assertThat(System.nanoTime() - start).as("longer than the peer timeout")
                    .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(600));
            source.send(new MigrationRecord.RoundEnd(0, 0)); // before GUEST_CONFIG: its first real mistake ends it

            ProtocolException ended = failure(destination, id);
            assertThat(ended.reason()).isEqualTo(AbortReason.UNEXPECTED_RECORD);
        }
    }

    @Test
    void anAuthenticatedSourceThatSaysNothingIsCutOffAndItsPlaceFreed() throws Exception {
        UUID id = UUID.randomUUID();
        try (LoopbackDestination destination = new LoopbackDestination(TransportConfig.of(SECRET).withReplyTimeout(300),
                1, MAX_RAM, 300);
             RawPeer source = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
            source.handshakeAsSource(id, Channel.BULK, SECRET);

            ProtocolException ended = failure(destination, id);
            assertThat(ended.reason()).isEqualTo(AbortReason.TIMEOUT);
            assertThat(ended.detail()).isEqualTo("nothing from the peer for 300 ms");
            assertThat(source.readUntilClosed().abort()).isNotNull();
            destination.destinations().released(id).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            try (RawPeer next = RawPeer.connect(destination.address(), WAIT_MILLIS)) {
                next.handshakeAsSource(UUID.randomUUID(), Channel.BULK, SECRET); // the only place is free again
            }
        }
    }

    /** A sink for connections whose records do not matter to the test. */
    private static final class IgnoringSink implements RecordSink {
        @Override
        public void authenticated(Handshake handshake, PeerChannel channel) {
        }

        @Override
        public void received(MigrationRecord record, PeerChannel channel) {
            ReferenceCountUtil.release(record);
        }

        @Override
        public void failed(PeerChannel channel, Throwable cause) {
        }

        @Override
        public void closed(PeerChannel channel) {
        }
    }
}
