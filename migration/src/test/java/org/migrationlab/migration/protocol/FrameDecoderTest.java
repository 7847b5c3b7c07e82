package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

import org.migrationlab.migration.protocol.MigrationRecord.GuestStateRecord;

/** Framing (PROTOCOL §2): whole frames only, the 4 MiB cap before allocation, truncation reported. */
@ExtendWith(NoLeaks.class)
class FrameDecoderTest {

    @Test
    void everyPrefixOfAStreamYieldsItsWholeFramesAndReportsTheCutOne() {
        List<MigrationRecord> records = SampleRecords.oneOfEach(ByteBufAllocator.DEFAULT, new Random(11));
        try {
            List<Integer> ends = new ArrayList<>();
            List<byte[]> frames = new ArrayList<>();
            int end = 0;
            for (MigrationRecord record : records) {
                byte[] frame = Wire.encode(record);
                frames.add(frame);
                end += frame.length;
                ends.add(end);
            }
            byte[] stream = Wire.concat(frames.toArray(byte[][]::new));
            for (int cut = 0; cut <= stream.length; cut++) {
                int whole = 0;
                while (whole < ends.size() && ends.get(whole) <= cut) {
                    whole++;
                }
                int frameStart = whole == 0 ? 0 : ends.get(whole - 1);
                try (Wire.Decoding decoding = Wire.decode(Arrays.copyOf(stream, cut))) {
                    assertThat(decoding.records()).as("cut at %d", cut).containsExactlyElementsOf(records.subList(0, whole));
                    if (cut == frameStart) {
                        assertThat(decoding.errors()).as("cut at %d", cut).isEmpty();
                    } else {
                        ProtocolException error = decoding.singleError();
                        assertThat(error.reason()).isEqualTo(AbortReason.CONNECTION_LOST);
                        assertThat(error.detail()).contains((cut - frameStart) + " bytes into it");
                    }
                }
            }
            try (Wire.Decoding decoding = Wire.decodeByteByByte(stream)) {
                assertThat(decoding.errors()).isEmpty();
                assertThat(decoding.records()).containsExactlyElementsOf(records);
            }
        } finally {
            records.forEach(ReferenceCountUtil::release);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {RecordCodec.MAX_FRAME_BODY + 1L, 0x80000000L, 0xffffffffL})
    void anOversizedLengthFailsAsSoonAsTheHeaderIsInAndTheRestIsDiscarded(long declared) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(), new RecordDecoder());
        try {
            byte[] header = Wire.frame(RecordType.GUEST_STATE.code(), 0, declared, new byte[0]);
            assertThat(channel.writeInbound(buffer(Arrays.copyOf(header, 7)))).isFalse();
            assertThatThrownBy(() -> channel.writeInbound(buffer(new byte[] {header[7]})))
                    .isInstanceOf(DecoderException.class)
                    .cause().isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.reason()).isEqualTo(AbortReason.MALFORMED);
                        assertThat(e.detail()).isEqualTo("frame body of " + declared + " bytes exceeds the limit of 4194304");
                    });
            assertThat(channel.writeInbound(buffer(Wire.encode(new MigrationRecord.Resumed())))).isFalse();
            assertThat(channel.finish()).isFalse(); // discarded, and no second error at close
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() {
        byte[] state = new byte[RecordCodec.MAX_FRAME_BODY];
        new Random(12).nextBytes(state);
        try (Wire.Decoding decoding = Wire.decode(Wire.encode(new GuestStateRecord(state)))) {
            assertThat(decoding.errors()).isEmpty();
            assertThat(decoding.records()).containsExactly(new GuestStateRecord(state));
        }
    }

    @Test
    void framesAreSlicesOfTheReceivedBytesNotCopies() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        byte[] stream = Wire.concat(Wire.encode(new MigrationRecord.PageRequest(1)), Wire.encode(new MigrationRecord.PageRequest(2)));
        ByteBuf received = buffer(stream);
        received.retain(); // kept to look through
        try {
            assertThat(channel.writeInbound(received)).isTrue();
            ByteBuf first = channel.readInbound();
            ByteBuf second = channel.readInbound();
            try {
                assertThat(first.readableBytes()).isEqualTo(16);
                received.setByte(16 + 8, 0x5a);
                assertThat(second.getByte(second.readerIndex() + 8)).isEqualTo((byte) 0x5a);
            } finally {
                first.release();
                second.release();
            }
        } finally {
            received.release();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aDecodedPageBatchSharesTheReceivedBytes() {
        MigrationRecord.PageBatch sent = SampleRecords.batch(ByteBufAllocator.DEFAULT, PageCodec.Compression.NONE,
                SendReason.DEMAND, 0, new long[] {1}, new byte[][] {SampleRecords.randomPage(new Random(13))});
        byte[] stream = Wire.encode(sent);
        sent.release();
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(), new RecordDecoder());
        ByteBuf received = buffer(stream);
        received.retain(); // kept to look through
        try {
            assertThat(channel.writeInbound(received)).isTrue();
            MigrationRecord.PageBatch batch = channel.readInbound();
            try {
                received.setByte(stream.length - 4096, 0x5a);
                assertThat(batch.data().getByte(batch.data().readerIndex())).isEqualTo((byte) 0x5a);
            } finally {
                batch.release();
            }
        } finally {
            received.release();
            channel.finishAndReleaseAll();
        }
    }

    private static ByteBuf buffer(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }
}
