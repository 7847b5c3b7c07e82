package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.RawPeer;

/**
 * TLS between the two ends (PROTOCOL §3.1): the source accepts exactly the pinned certificate — the first
 * of its certificate file, or a {@code sha256:} pin — and refuses any other, even one signed by the same
 * CA, and an expired one, saying which; and the migration's handshake is bound to the TLS session, so a
 * relay that terminates TLS on both sides cannot pass the source's proof on. The certificates under
 * src/test/resources/tls: a test CA, two leaves it signed ({@code daemon}, {@code sibling}, each with its
 * chain), and a self-signed certificate that expired in 2000; EC P-256 keys in PKCS#8.
 */
@Timeout(60)
class TlsIT {
    private static final byte[] SECRET = LoopbackMigration.SECRET;
    private static final int WAIT_MILLIS = 10_000;

    private static Path tls(String name) {
        return TlsPinTest.resource(name);
    }

    private static TransportConfig serving(String chain, String key) {
        return TransportConfig.of(SECRET).withTls(new TransportConfig.Tls(tls(chain), tls(key)));
    }

    private static TransportConfig trusting(String chain) {
        return TransportConfig.of(SECRET).withTls(new TransportConfig.Tls(tls(chain), null));
    }

    /** A listener that counts the migrations it would have received. */
    private static MigrationServer server(TransportConfig config, AtomicInteger sessions) throws InterruptedException {
        return new MigrationServer(new InetSocketAddress("127.0.0.1", 0), config, handshake -> {
            sessions.incrementAndGet();
            return new IgnoringSink();
        });
    }

    @Test
    void theLeafOfAChainFileIsTrustedWhateverAddressIsDialled() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        String pin = TlsPin.ofFirstCertificate(tls("daemon-fullchain.pem")).toString();
        try (MigrationServer server = server(serving("daemon-fullchain.pem", "daemon.key"), sessions);
             MigrationClient byFile = new MigrationClient(trusting("daemon-fullchain.pem"));
             MigrationClient byPin = new MigrationClient(TransportConfig.of(SECRET)
                     .withTls(TransportConfig.Tls.pinned(pin)))) {
            assertThat(byFile.connect(server.address(), UUID.randomUUID(), Channel.BULK, new IgnoringSink())).isNotNull();
            assertThat(byPin.connect(server.address(), UUID.randomUUID(), Channel.BULK, new IgnoringSink())).isNotNull();
            assertThat(sessions).hasValue(2);
        }
    }

    /** Trusting every certificate of the daemon's chain file trusted its CA, and so this sibling. */
    @Test
    void aChainFilePinRefusesASiblingLeafOfTheSameCa() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        TlsPin expected = TlsPin.ofFirstCertificate(tls("daemon-fullchain.pem"));
        TlsPin presented = TlsPin.ofFirstCertificate(tls("sibling-fullchain.pem"));
        try (MigrationServer server = server(serving("sibling-fullchain.pem", "sibling.key"), sessions);
             MigrationClient client = new MigrationClient(trusting("daemon-fullchain.pem"))) {
            assertThatThrownBy(() -> client.connect(server.address(), UUID.randomUUID(), Channel.BULK, new IgnoringSink()))
                    .isInstanceOf(TransportClosedException.class)
                    .hasMessageContaining("the destination's certificate is not the pinned one: expected " + expected
                            + ", got " + presented)
                    .hasMessageContaining("CN=sibling.migrationlab.test");
            assertThat(sessions).hasValue(0);
        }
    }

    @Test
    void anExpiredPinnedCertificateIsRefusedWithItsDate() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        X509Certificate expired = certificate(tls("expired.pem"));
        try (MigrationServer server = server(serving("expired.pem", "expired.key"), sessions);
             MigrationClient client = new MigrationClient(trusting("expired.pem"))) {
            assertThatThrownBy(() -> client.connect(server.address(), UUID.randomUUID(), Channel.BULK, new IgnoringSink()))
                    .isInstanceOf(TransportClosedException.class)
                    .hasMessageContaining("the pinned certificate " + TlsPin.of(expired))
                    .hasMessageContaining("expired on " + expired.getNotAfter().toInstant());
            assertThat(sessions).hasValue(0);
        }
    }

    /**
     * A relay the source was told to trust (it holds the pinned key) terminates the source's TLS and opens
     * its own TLS connection to the real destination, then passes the migration's handshake on record by
     * record. The source's proof covers its own TLS session, not the relay's: the destination refuses it.
     */
    @Test
    void aRelayThatTerminatesTlsCannotPassTheProofOn() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        try (MigrationServer destination = server(serving("daemon-fullchain.pem", "daemon.key"), sessions);
             SSLServerSocket relayListener = (SSLServerSocket) serverContext("sibling-fullchain.pem", "sibling.key")
                     .getServerSocketFactory().createServerSocket(0, 4, InetAddress.getLoopbackAddress());
             MigrationClient source = new MigrationClient(trusting("sibling-fullchain.pem"))) {
            relayListener.setEnabledProtocols(new String[] {"TLSv1.3"});
            CompletableFuture<RawPeer.Ending> relay = CompletableFuture.supplyAsync(() -> {
                try (RawPeer fromSource = RawPeer.accepted(relayListener.accept(), WAIT_MILLIS);
                     RawPeer toDestination = RawPeer.accepted(tlsTo(destination.address()), WAIT_MILLIS)) {
                    toDestination.sendUnsealed(fromSource.readFrame()); // HELLO
                    fromSource.sendUnsealed(toDestination.readFrame()); // HELLO
                    toDestination.sendUnsealed(fromSource.readFrame()); // the source's proof
                    return toDestination.readUntilClosed();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> source.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    relayListener.getLocalPort()), UUID.randomUUID(), Channel.BULK, new IgnoringSink()));

            RawPeer.Ending ending = relay.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(ending.abort()).as("the destination's answer to the relayed proof").isNotNull();
            assertThat(ending.abort().reason()).isEqualTo(AbortReason.AUTH_FAILED);
            assertThat(sessions).hasValue(0);
        }
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static SSLContext serverContext(String chain, String key) throws Exception {
        Certificate[] certificates;
        try (var in = Files.newInputStream(tls(chain))) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
        }
        String pem = Files.readString(tls(key)).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getDecoder().decode(pem)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("relay", privateKey, new char[0], certificates);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** The relay's own TLS connection to the destination (it trusts anything: it only passes bytes on). */
    private static SSLSocket tlsTo(InetSocketAddress address) throws Exception {
        X509TrustManager anything = new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] {anything}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.startHandshake();
        return socket;
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
