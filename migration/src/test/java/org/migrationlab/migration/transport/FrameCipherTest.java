package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.RecordCodec;

/**
 * The key schedule and the seal: each end derives the same keys from the same handshake, a sealed frame
 * hides its body, and keys of another secret, nonce, migration, channel, direction or TLS session open
 * nothing sealed with these.
 */
class FrameCipherTest {
    private static final byte[] SECRET = "frame-cipher-test-secret-0123456".getBytes(StandardCharsets.UTF_8);
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

    private static byte[] sealed(FrameCipher cipher, String text) {
        return cipher.seal(frame(text));
    }

    /** What {@code cipher} opens of {@code frame}, or why it refused. */
    private static String opened(FrameCipher cipher, byte[] frame) {
        try {
            byte[] plain = cipher.open(frame);
            return "opened " + plain.length;
        } catch (FrameCipher.BrokenSealException e) {
            return e.getMessage();
        }
    }

    @Test
    void bothEndsDeriveTheSameKeysAndProofs() throws Exception {
        ChannelKeys a = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        ChannelKeys b = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        assertThat(a).isEqualTo(b);
        assertThat(b.verify(Role.SOURCE, a.proof(Role.SOURCE))).isTrue();
        assertThat(b.verify(Role.DESTINATION, a.proof(Role.SOURCE))).as("a proof is one side's").isFalse();
        byte[] plain = frame("hello");
        assertThat(plain[2] & RecordCodec.FLAG_SEALED).isZero();
        byte[] opened = b.frames(Role.SOURCE).open(a.frames(Role.SOURCE).seal(plain));
        assertThat(opened).hasSize(plain.length);
        assertThat(java.util.Arrays.copyOfRange(opened, 4, opened.length))
                .as("the body and length come back exactly").isEqualTo(java.util.Arrays.copyOfRange(plain, 4, plain.length));
        assertThat(opened[2] & RecordCodec.FLAG_SEALED).as("still flagged as having been sealed")
                .isEqualTo(RecordCodec.FLAG_SEALED);
    }

    @Test
    void aSealedFrameHidesItsBody() throws Exception {
        ChannelKeys keys = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        String text = "a guest page that must not cross the wire in clear";
        byte[] plain = frame(text);
        byte[] sealed = keys.frames(Role.SOURCE).seal(plain);
        assertThat(sealed).hasSize(plain.length + RecordCodec.SEAL_BYTES);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("guest page").doesNotContain("clear");
        byte[] body = java.util.Arrays.copyOfRange(sealed, RecordCodec.HEADER_BYTES, plain.length);
        assertThat(body).isNotEqualTo(java.util.Arrays.copyOfRange(plain, RecordCodec.HEADER_BYTES, plain.length));
        assertThat(keys.frames(Role.SOURCE).seal(plain)).as("the same frame sealed by a fresh sender: same nonce")
                .isEqualTo(sealed);
        FrameCipher twice = keys.frames(Role.SOURCE);
        twice.seal(plain);
        assertThat(twice.seal(plain)).as("the next frame gets the next nonce").isNotEqualTo(sealed);
    }

    @Test
    void sealedFramesOpenInOrderOnly() {
        ChannelKeys keys = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        FrameCipher sender = keys.frames(Role.SOURCE);
        FrameCipher receiver = keys.frames(Role.SOURCE);
        byte[] first = sealed(sender, "first");
        byte[] second = sealed(sender, "second");
        assertThat(first[2] & RecordCodec.FLAG_SEALED).isEqualTo(RecordCodec.FLAG_SEALED);
        assertThat(opened(receiver, second)).startsWith("frame 1 where frame 0 was due");
        assertThat(opened(receiver, first)).startsWith("opened");
        assertThat(opened(receiver, first)).startsWith("frame 0 where frame 1 was due");
        assertThat(opened(receiver, second)).startsWith("opened");
    }

    @Test
    void everyBitOfTheFrameAndTheSealCounts() {
        ChannelKeys keys = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        byte[] frame = sealed(keys.frames(Role.SOURCE), "payload");
        for (int bit = 0; bit < frame.length * 8; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(opened(keys.frames(Role.SOURCE), flipped)).as("bit %d", bit).doesNotStartWith("opened");
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
        FrameCipher[] others = {
            keys.frames(Role.DESTINATION),
            keys("another-secret-0123456789abcdefg".getBytes(StandardCharsets.UTF_8), SOURCE, DESTINATION, new byte[0])
                    .frames(Role.SOURCE),
            keys(SECRET, urgent, urgentDestination, new byte[0]).frames(Role.SOURCE),
            keys(SECRET, otherMigration, DESTINATION, new byte[0]).frames(Role.SOURCE),
            keys(SECRET, otherNonce, DESTINATION, new byte[0]).frames(Role.SOURCE),
            keys(SECRET, SOURCE, DESTINATION, tls).frames(Role.SOURCE)};
        for (FrameCipher other : others) {
            assertThat(opened(other, frame.clone())).contains("does not carry the seal");
        }
        assertThat(keys(SECRET, SOURCE, DESTINATION, tls).proof(Role.SOURCE)).as("proofs are bound to the TLS session")
                .isNotEqualTo(keys.proof(Role.SOURCE));
    }

    /**
     * A bulk frame (64 pages, long enough for the JDK's combined AES-GCM path) opens byte for byte, decrypted
     * straight into the heap buffer it is returned in, and just as well with an allocator whose heap buffers
     * have no array (decrypted into a copy then).
     */
    @Test
    void aBulkFrameOpensExactlyIntoAHeapBufferAndWithoutOne() throws Exception {
        ChannelKeys keys = keys(SECRET, SOURCE, DESTINATION, new byte[0]);
        byte[] body = new byte[64 * 4096];
        new java.util.Random(7).nextBytes(body);
        ByteBuf plain = UnpooledByteBufAllocator.DEFAULT.directBuffer(RecordCodec.HEADER_BYTES + body.length);
        plain.writeShortLE(org.migrationlab.migration.protocol.RecordType.PAGE_BATCH.code()).writeShortLE(0)
                .writeIntLE(body.length).writeBytes(body);
        ByteBuf sealed = keys.frames(Role.SOURCE).seal(plain, UnpooledByteBufAllocator.DEFAULT);
        io.netty.buffer.ByteBufAllocator noArrays = new io.netty.buffer.AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        try {
            for (io.netty.buffer.ByteBufAllocator alloc : new io.netty.buffer.ByteBufAllocator[] {
                    io.netty.buffer.PooledByteBufAllocator.DEFAULT, noArrays}) {
                ByteBuf opened = keys.frames(Role.SOURCE).open(sealed.duplicate(), alloc);
                try {
                    assertThat(opened.hasArray()).as("heap buffers of %s", alloc).isEqualTo(alloc != noArrays);
                    assertThat(opened.readableBytes()).isEqualTo(plain.readableBytes());
                    assertThat(opened.getUnsignedIntLE(RecordCodec.LENGTH_FIELD_OFFSET)).isEqualTo(body.length);
                    byte[] got = new byte[body.length];
                    opened.getBytes(RecordCodec.HEADER_BYTES, got);
                    assertThat(got).as("the body through %s", alloc).isEqualTo(body);
                } finally {
                    opened.release();
                }
            }
        } finally {
            sealed.release();
            plain.release();
        }
    }
}
