package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.protocol.PageCodec.Compression;

/** Page encodings, CRC32C and the batch builder (PROTOCOL §4, PAGE_BATCH). */
@ExtendWith(NoLeaks.class)
class PageCodecTest {
    private final Random random = new Random(4096);
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    @Test
    void crc32cIsTheCastagnoliChecksum() {
        ByteBuf check = alloc.buffer().writeBytes("123456789".getBytes(StandardCharsets.US_ASCII));
        try {
            assertThat(PageCodec.crc32c(check)).isEqualTo(0xe3069283);
            assertThat(check.readerIndex()).isZero();
        } finally {
            check.release();
        }
        byte[] page = SampleRecords.randomPage(random);
        ByteBuf pageBuf = alloc.directBuffer().writeBytes(page);
        try {
            assertThat(PageCodec.crc32c(MemorySegment.ofArray(page))).isEqualTo(PageCodec.crc32c(pageBuf));
        } finally {
            pageBuf.release();
        }
    }

    @Test
    void zeroPagesCarryNoData() {
        ByteBuf out = alloc.buffer();
        try {
            PageCodec.EncodedPage encoded = PageCodec.encodePage(MemorySegment.ofArray(new byte[4096]), Compression.DEFLATE, out);
            assertThat(encoded.encoding()).isEqualTo(PageEncoding.ZERO);
            assertThat(encoded.length()).isZero();
            assertThat(encoded.crc32c()).isEqualTo(PageCodec.crc32c(MemorySegment.ofArray(new byte[4096])));
            assertThat(out.readableBytes()).isZero();
        } finally {
            out.release();
        }
    }

    @Test
    void incompressiblePagesTravelRawEvenWhenDeflateIsAllowed() {
        byte[] page = SampleRecords.randomPage(random);
        for (Compression compression : Compression.values()) {
            ByteBuf out = alloc.buffer();
            try {
                PageCodec.EncodedPage encoded = PageCodec.encodePage(MemorySegment.ofArray(page), compression, out);
                assertThat(encoded.encoding()).isEqualTo(PageEncoding.RAW);
                assertThat(encoded.length()).isEqualTo(4096);
                assertThat(io.netty.buffer.ByteBufUtil.getBytes(out)).isEqualTo(page);
                assertThat(encoded.crc32c()).isEqualTo(PageCodec.crc32c(MemorySegment.ofArray(page)));
            } finally {
                out.release();
            }
        }
    }

    @Test
    void compressiblePagesDeflateOnlyWhenAllowed() {
        byte[] page = SampleRecords.compressiblePage(random);
        ByteBuf deflated = alloc.buffer();
        ByteBuf raw = alloc.buffer();
        try {
            PageCodec.EncodedPage small = PageCodec.encodePage(MemorySegment.ofArray(page), Compression.DEFLATE, deflated);
            assertThat(small.encoding()).isEqualTo(PageEncoding.DEFLATE);
            assertThat(small.length()).isBetween(1, 4095).isEqualTo(deflated.readableBytes());
            assertThat(PageCodec.encodePage(MemorySegment.ofArray(page), Compression.NONE, raw).encoding())
                    .isEqualTo(PageEncoding.RAW);
        } finally {
            deflated.release();
            raw.release();
        }
    }

    @Test
    void builderCopiesNativeReadOnlyPagesAndDecodesThemBack() {
        try (Arena arena = Arena.ofConfined(); PageBatchBuilder builder = new PageBatchBuilder(alloc, Compression.DEFLATE)) {
            MemorySegment ram = arena.allocate(3L * 4096, 4096);
            ram.asSlice(4096, 4096).copyFrom(MemorySegment.ofArray(SampleRecords.randomPage(random)));
            ram.asSlice(8192, 4096).copyFrom(MemorySegment.ofArray(SampleRecords.compressiblePage(random)));
            for (int p = 0; p < 3; p++) {
                builder.add(p, ram.asSlice(p * 4096L, 4096).asReadOnly());
            }
            assertThat(builder.count()).isEqualTo(3);
            PageBatch batch = builder.build(SendReason.STOP_AND_COPY, 0);
            try {
                assertThat(builder.isEmpty()).isTrue();
                assertThat(batch.encodings()).containsExactly(PageEncoding.ZERO, PageEncoding.RAW, PageEncoding.DEFLATE);
                assertThat(batch.data().isDirect()).isTrue();
                MemorySegment target = arena.allocate(4096);
                for (int p = 0; p < 3; p++) {
                    PageCodec.decodePageInto(batch, p, target);
                    assertThat(target.mismatch(ram.asSlice(p * 4096L, 4096))).isEqualTo(-1);
                }
            } finally {
                batch.release();
            }
        }
    }

    @Test
    void builderHoldsAtMost256PagesAndEmptyBuildsAreRefused() {
        byte[] page = SampleRecords.randomPage(random);
        try (PageBatchBuilder builder = new PageBatchBuilder(alloc, Compression.NONE)) {
            assertThatThrownBy(() -> builder.build(SendReason.PUSH, 0)).isInstanceOf(IllegalStateException.class);
            for (int p = 0; p < 256; p++) {
                builder.add(p, MemorySegment.ofArray(page));
            }
            assertThat(builder.isFull()).isTrue();
            assertThat(builder.dataBytes()).isEqualTo(256 * 4096);
            assertThatThrownBy(() -> builder.add(256, MemorySegment.ofArray(page))).isInstanceOf(IllegalStateException.class);
            PageBatch batch = builder.build(SendReason.PUSH, 0);
            assertThat(batch.count()).isEqualTo(256);
            batch.release();
        }
        assertThatThrownBy(() -> new PageBatchBuilder(alloc, Compression.NONE, 257)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closingABuilderReleasesItsUnbuiltPages() {
        PageBatchBuilder builder = new PageBatchBuilder(alloc, Compression.NONE, 1);
        builder.add(5, MemorySegment.ofArray(SampleRecords.randomPage(random)));
        builder.close(); // NoLeaks fails this test if the buffer survived
        assertThat(builder.isEmpty()).isTrue();
    }

    @Test
    void aPageThatDoesNotMatchItsCrcIsBadCrc() {
        byte[] page = SampleRecords.randomPage(random);
        byte[] compressible = SampleRecords.compressiblePage(random);
        ByteBuf data = alloc.buffer();
        data.writeBytes(page);
        ByteBuf deflated = alloc.buffer();
        PageCodec.encodePage(MemorySegment.ofArray(compressible), Compression.DEFLATE, deflated);
        int deflatedLength = deflated.readableBytes();
        data.writeBytes(deflated);
        deflated.release();
        int goodRaw = PageCodec.crc32c(MemorySegment.ofArray(page));
        PageBatch batch = new PageBatch(SendReason.DEMAND, 0, new long[] {1, 2, 3},
                new PageEncoding[] {PageEncoding.RAW, PageEncoding.ZERO, PageEncoding.DEFLATE},
                new int[] {4096, 0, deflatedLength}, new int[] {goodRaw ^ 1, 0x1234, 0}, data);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment target = arena.allocate(4096);
            for (int i = 0; i < 3; i++) {
                int index = i;
                assertThatThrownBy(() -> PageCodec.decodePageInto(batch, index, target))
                        .isInstanceOfSatisfying(ProtocolException.class,
                                e -> assertThat(e.reason()).isEqualTo(AbortReason.BAD_CRC))
                        .hasMessageContaining("page " + (i + 1));
            }
        } finally {
            batch.release();
        }
    }

    @Test
    void aFlippedBitInRawPageDataDecodesButFailsItsCrc() {
        PageBatch sent = SampleRecords.batch(alloc, Compression.NONE, SendReason.DEMAND, 0, new long[] {9},
                new byte[][] {SampleRecords.randomPage(random)});
        byte[] bytes = Wire.encode(sent);
        sent.release();
        bytes[bytes.length - 100] ^= 0x10;
        try (Wire.Decoding decoding = Wire.decode(bytes); Arena arena = Arena.ofConfined()) {
            PageBatch received = (PageBatch) decoding.records().getFirst(); // the codec carries CRCs, not checks them
            assertThatThrownBy(() -> PageCodec.decodePageInto(received, 0, arena.allocate(4096)))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(AbortReason.BAD_CRC));
        }
    }

    @Test
    void corruptOrWronglySizedDeflateDataIsMalformed() {
        byte[] page = SampleRecords.compressiblePage(random);
        byte[] good = deflate(page);
        byte[] shortPage = deflate(java.util.Arrays.copyOf(page, 4095));
        byte[] longPage = deflate(java.util.Arrays.copyOf(page, 4097));
        byte[] bomb = deflate(new byte[1 << 20]);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 2);
        byte[] garbage = SampleRecords.bytes(random, 100);
        garbage[0] = (byte) 0xff; // reserved block type: never a valid stream
        for (byte[] data : new byte[][] {shortPage, longPage, bomb, truncated, trailing, garbage}) {
            assertThat(data.length).isBetween(1, 4096);
            ByteBuf buf = alloc.buffer().writeBytes(data);
            PageBatch batch = new PageBatch(SendReason.PUSH, 0, new long[] {4}, new PageEncoding[] {PageEncoding.DEFLATE},
                    new int[] {data.length}, new int[] {PageCodec.crc32c(MemorySegment.ofArray(page))}, buf);
            try (Arena arena = Arena.ofConfined()) {
                assertThatThrownBy(() -> PageCodec.decodePageInto(batch, 0, arena.allocate(4096)))
                        .isInstanceOfSatisfying(ProtocolException.class,
                                e -> assertThat(e.reason()).isEqualTo(AbortReason.MALFORMED))
                        .hasMessageContaining("DEFLATE page 4");
            } finally {
                batch.release();
            }
        }
    }

    @Test
    void decodingNeedsAWritablePageSizedTarget() {
        PageBatch batch = SampleRecords.mixedBatch(alloc, random);
        try {
            assertThatThrownBy(() -> PageCodec.decodePageInto(batch, 0, MemorySegment.ofArray(new byte[4095])))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> PageCodec.decodePageInto(batch, 0, MemorySegment.ofArray(new byte[4096]).asReadOnly()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> PageCodec.decodePageInto(batch, 3, MemorySegment.ofArray(new byte[4096])))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            MemorySegment heapTarget = MemorySegment.ofArray(new byte[4096]);
            PageCodec.decodePageInto(batch, 2, heapTarget);
            assertThat(PageCodec.isZero(heapTarget)).isFalse();
        } finally {
            batch.release();
        }
    }

    private static byte[] deflate(byte[] input) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(input);
            deflater.finish();
            byte[] out = new byte[input.length + 64];
            int length = deflater.deflate(out);
            return java.util.Arrays.copyOf(out, length);
        } finally {
            deflater.end();
        }
    }
}
