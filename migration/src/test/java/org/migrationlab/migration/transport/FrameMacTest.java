package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.RecordCodec;

/**
 * The key schedule and the seal: each end derives the same keys from the same handshake, and keys of
 * another secret, nonce, migration, channel, direction or TLS session open nothing sealed with these.
 */
class FrameMacTest {
    private static final byte[] SECRET = "frame-mac-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final UUID ID = UUID.randomUUID();
    private static final Hello SOURCE = new Hello(Hello.CURRENT_VERSION, Role.SOURCE, Channel.BULK, ID, Authenticator.newNonce());
    private static final Hello DESTINATION = new Hello(Hello.CURRENT_VERSION, Role.DESTINATION, Channel.BULK, ID,
            Authenticator.newNonce());

    private static ChannelKeys keys(byte[] secret, Hello source, Hello destination, byte[] tls) {
        return new Authenticator(secret).keys(source, destination, tls);
    }

    private static byte[] frame(String text) {
        ByteBuf frame = RecordCodec.encode(new MigrationRecord.ProgressHint(text), UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }

    private static byte[] sealed(FrameMac mac, String text) {
        byte[] frame = frame(text);
        byte[] seal = mac.seal(Unpooled.wrappedBuffer(frame));
        byte[] out = java.util.Arrays.copyOf(frame, frame.length + seal.length);
        System.arraycopy(seal, 0, out, frame.length, seal.length);
        return out;
    }

    @Test
    void bothEndsDeriveTheSameKeysAndProofs() {
        ChannelKeys a = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        ChannelKeys b = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        assertThat(a).isEqualTo(b);
        assertThat(b.verify(Role.SOURCE, a.proof(Role.SOURCE))).isTrue();
        assertThat(b.verify(Role.DESTINATION, a.proof(Role.SOURCE))).as("a proof is one side's").isFalse();
        assertThat(b.frames(Role.SOURCE).open(Unpooled.wrappedBuffer(sealed(a.frames(Role.SOURCE), "hello")))).isNull();
    }

    @Test
    void sealedFramesOpenInOrderOnly() {
        ChannelKeys keys = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        FrameMac sender = keys.frames(Role.SOURCE);
        FrameMac receiver = keys.frames(Role.SOURCE);
        byte[] first = sealed(sender, "first");
        byte[] second = sealed(sender, "second");
        assertThat(first[2] & RecordCodec.FLAG_SEALED).isEqualTo(RecordCodec.FLAG_SEALED);
        assertThat(receiver.open(Unpooled.wrappedBuffer(second))).startsWith("frame 1 where frame 0 was due");
        assertThat(receiver.open(Unpooled.wrappedBuffer(first))).isNull();
        assertThat(receiver.open(Unpooled.wrappedBuffer(first))).startsWith("frame 0 where frame 1 was due");
        assertThat(receiver.open(Unpooled.wrappedBuffer(second))).isNull();
    }

    @Test
    void everyBitOfTheFrameAndTheSealCounts() {
        ChannelKeys keys = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        byte[] frame = sealed(keys.frames(Role.SOURCE), "payload");
        for (int bit = 0; bit < frame.length * 8; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(keys.frames(Role.SOURCE).open(Unpooled.wrappedBuffer(flipped))).as("bit %d", bit).isNotNull();
        }
    }

    @Test
    void keysOfAnythingElseOpenNothing() {
        ChannelKeys keys = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        byte[] frame = sealed(keys.frames(Role.SOURCE), "payload");
        Hello urgent = new Hello(SOURCE.version(), Role.SOURCE, Channel.URGENT, ID, SOURCE.nonce());
        Hello urgentDestination = new Hello(DESTINATION.version(), Role.DESTINATION, Channel.URGENT, ID, DESTINATION.nonce());
        Hello otherMigration = new Hello(SOURCE.version(), Role.SOURCE, Channel.BULK, UUID.randomUUID(), SOURCE.nonce());
        Hello otherNonce = new Hello(SOURCE.version(), Role.SOURCE, Channel.BULK, ID, Authenticator.newNonce());
        byte[] tls = new byte[Authenticator.TLS_EXPORTER_BYTES];
        tls[0] = 1;
        FrameMac[] others = {
            keys.frames(Role.DESTINATION),
            keys("another-secret-0123456789abcdefg".getBytes(StandardCharsets.UTF_8), SOURCE, DESTINATION, new byte[0])
                    .frames(Role.SOURCE),
            keys(SECRET, urgent, urgentDestination, new byte[0]).frames(Role.SOURCE),
            keys(SECRET, otherMigration, DESTINATION, new byte[0]).frames(Role.SOURCE),
            keys(SECRET, otherNonce, DESTINATION, new byte[0]).frames(Role.SOURCE),
            keys(SECRET, SOURCE, DESTINATION, tls).frames(Role.SOURCE)};
        for (FrameMac other : others) {
            assertThat(other.open(Unpooled.wrappedBuffer(frame.clone()))).contains("does not carry the MAC");
        }
        assertThat(keys(SECRET, SOURCE, DESTINATION, tls).proof(Role.SOURCE)).as("proofs are bound to the TLS session")
                .isNotEqualTo(keys.proof(Role.SOURCE));
    }
}
