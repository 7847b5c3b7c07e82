package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.testing.RawPeer;

/**
 * The handshake against hostile peers over real loopback sockets (PROTOCOL §3): a wrong protocol
 * version or a wrong secret on either side, or records before authentication, end the connection with
 * the matching ABORT before anything else happens — no session is created on the destination and the
 * source's connect fails with the reason. Nothing leaks, nothing hangs.
 */
@ExtendWith(NoLeaks.class)
@Timeout(30)
class HandshakeHostilityIT {
    private static final byte[] SECRET = "handshake-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SECRET = "some-other-secret-9876543210abcd".getBytes(StandardCharsets.UTF_8);
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    /** A destination listener that counts the sessions it would have created. */
    private static final class CountingServer implements AutoCloseable {
        final AtomicInteger sessions = new AtomicInteger();
        final MigrationServer server;

        CountingServer(byte[] secret) throws InterruptedException {
            server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), TransportConfig.of(secret), handshake -> {
                sessions.incrementAndGet();
                return new IgnoringSink();
            });
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static class IgnoringSink implements RecordSink {
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

    /** A raw destination that accepts one connection and runs {@code script} on it. */
    private interface Script {
        RawPeer.Ending run(RawPeer peer) throws IOException;
    }

    private static CompletableFuture<RawPeer.Ending> fakeDestination(ServerSocket listener, Script script) {
        CompletableFuture<RawPeer.Ending> ending = new CompletableFuture<>();
        Thread.ofVirtual().name("fake-destination").start(() -> {
            try (RawPeer peer = RawPeer.accepted(listener.accept(), READ_TIMEOUT_MILLIS)) {
                ending.complete(script.run(peer));
            } catch (Throwable t) {
                ending.completeExceptionally(t);
            }
        });
        return ending;
    }

    private static InetSocketAddress address(ServerSocket listener) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    // ---- versions

    /** Every version outside [OLDEST_ACCEPTED_VERSION, CURRENT_VERSION]: each older one, the next, the largest. */
    static IntStream unsupportedVersions() {
        return IntStream.concat(IntStream.range(0, Hello.OLDEST_ACCEPTED_VERSION),
                IntStream.of(Hello.CURRENT_VERSION + 1, 0xffff));
    }

    @ParameterizedTest(name = "HELLO version {0}")
    @MethodSource("unsupportedVersions")
    void destinationRefusesSourceOfUnsupportedVersion(int version) throws Exception {
        try (CountingServer destination = new CountingServer(SECRET);
             RawPeer source = RawPeer.connect(destination.server.address(), READ_TIMEOUT_MILLIS)) {
            source.send(new Hello(version, Role.SOURCE, Channel.BULK, UUID.randomUUID(), new byte[16]));
            RawPeer.Ending ending = source.readUntilClosed();

            assertThat(ending.closedByPeer()).as("closed by the destination (%s)", ending.how()).isTrue();
            assertThat(ending.records()).as("only an ABORT, no HELLO").hasSize(1);
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.VERSION);
            assertThat(ending.abort().message()).contains("version " + version)
                    .contains("[" + Hello.OLDEST_ACCEPTED_VERSION + ", " + Hello.CURRENT_VERSION + "]");
            assertThat(destination.sessions).hasValue(0);
        }
    }

    @ParameterizedTest(name = "HELLO version {0}")
    @MethodSource("unsupportedVersions")
    void sourceRefusesDestinationOfUnsupportedVersion(int version) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             MigrationClient client = new MigrationClient(TransportConfig.of(SECRET))) {
            CompletableFuture<RawPeer.Ending> fake = fakeDestination(listener, peer -> {
                Hello hello = peer.expect(Hello.class);
                peer.send(new Hello(version, Role.DESTINATION, hello.channel(), hello.migrationId(), new byte[16]));
                return peer.readUntilClosed();
            });

            assertThatThrownBy(() -> client.connect(address(listener), UUID.randomUUID(), Channel.BULK, new IgnoringSink()))
                    .isInstanceOfSatisfying(HandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(AbortReason.VERSION))
                    .hasMessageContaining("version " + version);
            RawPeer.Ending ending = fake.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(ending.closedByPeer()).as("closed by the source (%s)", ending.how()).isTrue();
            assertThat(ending.records()).as("no proof of the secret for a refused peer").hasSize(1);
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.VERSION);
        }
    }

    // ---- registration before the destination's proof

    /**
     * A source opens its urgent connection as soon as it reads the destination's AUTH; that connection must
     * find its migration registered, so the destination proves itself only after registering the bulk one.
     */
    @Test
    void theDestinationProvesItselfOnlyAfterItRegisteredTheConnection() throws Exception {
        CountDownLatch registering = new CountDownLatch(1);
        CountDownLatch registered = new CountDownLatch(1);
        // The session learns of the connection in its sink's authenticated(): the test holds it there.
        RecordSink holding = new IgnoringSink() {
            @Override
            public void authenticated(Handshake handshake, PeerChannel channel) {
                registering.countDown();
                try {
                    registered.await(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), TransportConfig.of(SECRET),
                handshake -> holding);
             MigrationClient client = new MigrationClient(TransportConfig.of(SECRET))) {
            CompletableFuture<PeerChannel> connected = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.connect(server.address(), UUID.randomUUID(), Channel.BULK, new IgnoringSink());
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(registering.await(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)).as("the destination registers").isTrue();
            assertThatThrownBy(() -> connected.get(300, TimeUnit.MILLISECONDS))
                    .as("the source is authenticated before the destination registered it")
                    .isInstanceOf(TimeoutException.class);
            registered.countDown();
            assertThat(connected.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)).isNotNull();
        }
    }

    // ---- secrets

    @Test
    void destinationRefusesSourceWithWrongSecret() throws Exception {
        try (CountingServer destination = new CountingServer(SECRET);
             MigrationClient client = new MigrationClient(TransportConfig.of(OTHER_SECRET))) {
            assertThatThrownBy(() -> client.connect(destination.server.address(), UUID.randomUUID(), Channel.BULK,
                    new IgnoringSink()))
                    .isInstanceOfSatisfying(PeerAbortedException.class,
                            e -> assertThat(e.reason()).isEqualTo(AbortReason.AUTH_FAILED))
                    .hasMessageContaining("proof of the shared secret is wrong");
            assertThat(destination.sessions).hasValue(0);
        }
    }

    @Test
    void destinationNeverProvesItselfToSourceWithWrongSecret() throws Exception {
        try (CountingServer destination = new CountingServer(SECRET);
             RawPeer source = RawPeer.connect(destination.server.address(), READ_TIMEOUT_MILLIS)) {
            UUID id = UUID.randomUUID();
            Hello own = new Hello(Hello.CURRENT_VERSION, Role.SOURCE, Channel.BULK, id, Authenticator.newNonce());
            source.send(own);
            Hello hello = source.expect(Hello.class);
            source.send(new MigrationRecord.Auth(new Authenticator(OTHER_SECRET).keys(own, hello, new byte[0])
                    .proof(Role.SOURCE)));
            RawPeer.Ending ending = source.readUntilClosed();

            assertThat(ending.closedByPeer()).as("closed by the destination (%s)", ending.how()).isTrue();
            assertThat(ending.records()).as("an ABORT and no AUTH").hasSize(1);
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.AUTH_FAILED);
            assertThat(destination.sessions).hasValue(0);
        }
    }

    @Test
    void sourceRefusesDestinationWithWrongSecret() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             MigrationClient client = new MigrationClient(TransportConfig.of(SECRET))) {
            CompletableFuture<RawPeer.Ending> fake = fakeDestination(listener, peer -> {
                peer.handshakeAsDestination(OTHER_SECRET);
                return peer.readUntilClosed();
            });

            assertThatThrownBy(() -> client.connect(address(listener), UUID.randomUUID(), Channel.BULK, new IgnoringSink()))
                    .isInstanceOfSatisfying(HandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(AbortReason.AUTH_FAILED))
                    .hasMessageContaining("proof of the shared secret is wrong");
            RawPeer.Ending ending = fake.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            // The source's ABORT comes after its own AUTH, so it is sealed: a destination that cannot prove the
            // secret cannot read it either.
            assertThat(ending.records()).as("nothing of the migration").isEmpty();
            assertThat(ending.how()).contains("seal");
        }
    }

    @Test
    void sourceWithTheRightSecretGetsThrough() throws Exception {
        try (CountingServer destination = new CountingServer(SECRET);
             RawPeer source = RawPeer.connect(destination.server.address(), READ_TIMEOUT_MILLIS)) {
            source.handshakeAsSource(UUID.randomUUID(), Channel.BULK, SECRET);
            source.shutdownOutput();
            RawPeer.Ending ending = source.readUntilClosed();

            assertThat(ending.closedByPeer()).isTrue();
            assertThat(destination.sessions).as("the raw peer is a fair control").hasValue(1);
        }
    }

    // ---- order

    @Test
    void destinationRefusesRecordsBeforeAuthentication() throws Exception {
        try (CountingServer destination = new CountingServer(SECRET);
             RawPeer source = RawPeer.connect(destination.server.address(), READ_TIMEOUT_MILLIS)) {
            source.send(new Hello(Hello.CURRENT_VERSION, Role.SOURCE, Channel.BULK, UUID.randomUUID(),
                    Authenticator.newNonce()));
            source.expect(Hello.class);
            source.send(new MigrationRecord.GuestConfig(4L << 20, 1, MigrationMode.PRECOPY, "wss", Map.of()));
            RawPeer.Ending ending = source.readUntilClosed();

            assertThat(ending.closedByPeer()).as("closed by the destination (%s)", ending.how()).isTrue();
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.UNEXPECTED_RECORD);
            assertThat(ending.abort().message()).contains("before authentication");
            assertThat(destination.sessions).hasValue(0);
        }
    }

    @Test
    void sourceRefusesRecordsFromDestinationBeforeAuthentication() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             MigrationClient client = new MigrationClient(TransportConfig.of(SECRET))) {
            CompletableFuture<RawPeer.Ending> fake = fakeDestination(listener, peer -> {
                Hello hello = peer.expect(Hello.class);
                peer.send(new Hello(Hello.CURRENT_VERSION, Role.DESTINATION, hello.channel(),
                        hello.migrationId(), Authenticator.newNonce()));
                peer.expect(MigrationRecord.Auth.class);
                peer.send(new MigrationRecord.Resumed()); // instead of its own proof
                return peer.readUntilClosed();
            });

            assertThatThrownBy(() -> client.connect(address(listener), UUID.randomUUID(), Channel.BULK, new IgnoringSink()))
                    .isInstanceOfSatisfying(HandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(AbortReason.UNEXPECTED_RECORD))
                    .hasMessageContaining("before authentication");
            RawPeer.Ending ending = fake.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(ending.records()).as("nothing of the migration (the source's ABORT is sealed)").isEmpty();
            assertThat(ending.how()).contains("seal");
        }
    }
}
