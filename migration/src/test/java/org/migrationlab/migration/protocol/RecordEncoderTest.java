package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;

import org.migrationlab.migration.protocol.MigrationRecord.GuestConfig;
import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.protocol.MigrationRecord.SwitchOver;

/** Writing records: exact frames, page data not copied, ownership taken and given back. */
@ExtendWith(NoLeaks.class)
class RecordEncoderTest {
    private final Random random = new Random(77);

    @Test
    void framesAreLittleEndianHeaderThenBody() {
        byte[] frame = Wire.encode(new PageRequest(0x0102030405060708L));
        assertThat(ByteBufUtil.hexDump(frame)).isEqualTo("0a00" + "0000" + "08000000" + "0807060504030201");
    }

    @Test
    void aPageBatchIsWrittenWithoutCopyingItsPagesAndReleasedOnceWritten() {
        EmbeddedChannel channel = new EmbeddedChannel(new RecordEncoder());
        PageBatch batch = SampleRecords.batch(ByteBufAllocator.DEFAULT, PageCodec.Compression.NONE, SendReason.DEMAND, 0,
                new long[] {3}, new byte[][] {SampleRecords.randomPage(random)});
        ByteBuf data = batch.data();
        try {
            assertThat(channel.writeOutbound(batch)).isTrue();
            ByteBuf frame = channel.readOutbound();
            try {
                assertThat(frame).isInstanceOf(CompositeByteBuf.class);
                assertThat(frame.readableBytes()).isEqualTo(8 + 7 + 17 + 4096);
                assertThat(data.refCnt()).as("the record's reference went to the frame").isEqualTo(1);
                data.setByte(data.readerIndex(), 0x5a);
                assertThat(frame.getByte(frame.readerIndex() + 8 + 7 + 17)).as("shared, not copied").isEqualTo((byte) 0x5a);
            } finally {
                frame.release();
            }
            assertThat(data.refCnt()).isZero();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aBatchOfZeroPagesIsOneBuffer() {
        EmbeddedChannel channel = new EmbeddedChannel(new RecordEncoder());
        PageBatch batch = SampleRecords.batch(ByteBufAllocator.DEFAULT, PageCodec.Compression.DEFLATE, SendReason.PUSH, 2,
                new long[] {1, 2}, new byte[][] {SampleRecords.zeroPage(), SampleRecords.zeroPage()});
        try {
            channel.writeOutbound(batch);
            assertThat(batch.refCnt()).isZero();
            ByteBuf frame = channel.readOutbound();
            try {
                assertThat(frame).isNotInstanceOf(CompositeByteBuf.class);
                assertThat(frame.readableBytes()).isEqualTo(8 + 7 + 2 * 17);
            } finally {
                frame.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void encodingLeavesTheRecordToItsOwner() {
        PageBatch batch = SampleRecords.mixedBatch(ByteBufAllocator.DEFAULT, random);
        ByteBuf first = RecordCodec.encode(batch, ByteBufAllocator.DEFAULT);
        ByteBuf second = RecordCodec.encode(batch, ByteBufAllocator.DEFAULT);
        try {
            assertThat(batch.refCnt()).isEqualTo(3);
            assertThat(ByteBufUtil.equals(first, second)).isTrue();
        } finally {
            first.release();
            second.release();
            batch.release();
        }
    }

    @Test
    void unrepresentableRecordsFailTheWriteAndAreReleased() {
        EmbeddedChannel channel = new EmbeddedChannel(new RecordEncoder());
        try {
            assertThatThrownBy(() -> channel.writeOutbound(new SwitchOver(MigrationMode.HYBRID, 5, new byte[] {1})))
                    .isInstanceOf(EncoderException.class).hasMessageContaining("pending count 5 differs");
            assertThatThrownBy(() -> channel.writeOutbound(new GuestConfig(4096, 0, MigrationMode.PRECOPY, "wss",
                    Map.of("k", "v".repeat(70_000))))).isInstanceOf(EncoderException.class).hasMessageContaining("argument value");
            assertThatThrownBy(() -> channel.writeOutbound(new MigrationRecord.GuestStateRecord(new byte[RecordCodec.MAX_FRAME_BODY + 1])))
                    .isInstanceOf(EncoderException.class).hasMessageContaining("exceeds 4194304");
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void onlyTheStatelessEncoderIsSharable() {
        RecordEncoder shared = new RecordEncoder();
        assertThat(shared.isSharable()).isTrue();
        assertThat(new FrameDecoder().isSharable()).isFalse();
        assertThat(new RecordDecoder().isSharable()).isFalse();
        EmbeddedChannel one = new EmbeddedChannel(shared);
        EmbeddedChannel two = new EmbeddedChannel(shared);
        try {
            one.writeOutbound(new PageRequest(1));
            two.writeOutbound(new PageRequest(2));
            assertThat(one.outboundMessages()).hasSize(1);
            assertThat(two.outboundMessages()).hasSize(1);
        } finally {
            one.finishAndReleaseAll();
            two.finishAndReleaseAll();
        }
    }

    @Test
    void pagesFromLiveMemoryAreCopiedOnceIntoTheBatch() {
        byte[] ram = SampleRecords.randomPage(random);
        try (PageBatchBuilder builder = new PageBatchBuilder(ByteBufAllocator.DEFAULT, PageCodec.Compression.NONE, 1)) {
            builder.add(0, MemorySegment.ofArray(ram));
            ram[0] ^= 1; // the guest writes after the copy: the batch keeps what was copied, with its CRC
            PageBatch batch = builder.build(SendReason.PRECOPY_ROUND, 0);
            try {
                assertThat(batch.data().getByte(0)).isEqualTo((byte) (ram[0] ^ 1));
                assertThat(batch.crcs()[0]).isEqualTo(PageCodec.crc32c(batch.data()));
            } finally {
                batch.release();
            }
        }
    }
}
