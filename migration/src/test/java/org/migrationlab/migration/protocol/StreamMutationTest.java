package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;

import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;

/**
 * Seeded mutations of valid streams (STYLE §2.9): each mutated stream, fed in random chunks, either
 * decodes to valid records (whose pages then decode or fail their CRC) or fails with a
 * {@link ProtocolException}; nothing else is thrown, nothing leaks, nothing hangs. The seed is printed
 * and in every failure; rerun one with {@code -Dprotocol.mutation.seed=N}.
 */
@ExtendWith(NoLeaks.class)
class StreamMutationTest {
    private static final int MUTATIONS = 12_000;
    private static final int BASE_STREAMS = 48;
    private static final long[] INTERESTING = {0, 1, 2, 7, 8, 255, 256, 257, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff,
        0x10000, RecordCodec.MAX_FRAME_BODY, RecordCodec.MAX_FRAME_BODY + 1L, 0x7fffffffL, 0x80000000L, 0xffffffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, -1};

    /** A valid stream and where its frames start. */
    private record Base(byte[] bytes, int[] frameStarts) {
    }

    @Test
    void mutatedStreamsDecodeOrFailWithProtocolErrorsOnly() {
        long seed = Long.getLong("protocol.mutation.seed", System.nanoTime());
        System.out.println("StreamMutationTest seed " + seed + " (rerun: -Dprotocol.mutation.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Base> bases = new ArrayList<>();
        for (int i = 0; i < BASE_STREAMS; i++) {
            bases.add(validStream(random, 1 + random.nextInt(12)));
        }
        Map<AbortReason, Integer> failures = new EnumMap<>(AbortReason.class);
        int[] clean = new int[1];
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment target = arena.allocate(PageCodec.PAGE_SIZE);
                for (int i = 0; i < MUTATIONS; i++) {
                    Base base = bases.get(random.nextInt(bases.size()));
                    StringBuilder how = new StringBuilder();
                    byte[] mutated = mutate(base, random, how);
                    long mark = RecordingLeakDetector.mark();
                    try {
                        boolean failed = false;
                        try (Wire.Decoding decoding = Wire.decode(mutated, random)) {
                            for (ProtocolException error : decoding.errors()) {
                                failures.merge(error.reason(), 1, Integer::sum);
                                failed = true;
                            }
                            for (MigrationRecord record : decoding.records()) {
                                if (record instanceof PageBatch batch) {
                                    for (int p = 0; p < batch.count(); p++) {
                                        try {
                                            PageCodec.decodePageInto(batch, p, target);
                                        } catch (ProtocolException e) {
                                            failures.merge(e.reason(), 1, Integer::sum);
                                            failed = true;
                                        }
                                    }
                                }
                            }
                        }
                        clean[0] += failed ? 0 : 1;
                        NoLeaks.assertNoLeaksSince(mark, "the decoding");
                    } catch (AssertionError | RuntimeException e) {
                        throw new AssertionError("seed " + seed + ", mutation " + i + " (" + how + "): " + e.getMessage(), e);
                    }
                }
            }
        }, () -> "mutation test hung; seed " + seed);
        System.out.println("StreamMutationTest: " + MUTATIONS + " mutations, " + clean[0] + " decoded cleanly, failures "
                + failures);
        assertThat(clean[0]).as("some mutations keep the stream valid").isPositive();
        assertThat(failures).as("mutations reach the typed errors")
                .containsKeys(AbortReason.MALFORMED, AbortReason.UNKNOWN_RECORD, AbortReason.CONNECTION_LOST, AbortReason.BAD_CRC);
    }

    private static Base validStream(Random random, int records) {
        List<MigrationRecord> sent = new ArrayList<>();
        try {
            for (int i = 0; i < records; i++) {
                sent.add(SampleRecords.random(random, ByteBufAllocator.DEFAULT));
            }
            int[] starts = new int[records];
            List<byte[]> frames = new ArrayList<>();
            int offset = 0;
            for (int i = 0; i < records; i++) {
                byte[] frame = Wire.encode(sent.get(i));
                starts[i] = offset;
                offset += frame.length;
                frames.add(frame);
            }
            return new Base(Wire.concat(frames.toArray(byte[][]::new)), starts);
        } finally {
            sent.forEach(ReferenceCountUtil::release);
        }
    }

    /** One structural mutation (of a header field or a body integer) and/or up to three byte-level ones. */
    private static byte[] mutate(Base base, Random random, StringBuilder how) {
        byte[] bytes = base.bytes().clone();
        int frame = base.frameStarts()[random.nextInt(base.frameStarts().length)];
        int byteOps;
        switch (random.nextInt(4)) {
            case 0 -> {
                long value = random.nextBoolean() ? interesting(random)
                        : Integer.toUnsignedLong(getIntLE(bytes, frame + 4)) + random.nextInt(17) - 8;
                putLE(bytes, frame + 4, 4, value);
                how.append("length of frame at ").append(frame).append(" := ").append(value & 0xffffffffL).append("; ");
                byteOps = random.nextInt(2);
            }
            case 1 -> {
                int type = random.nextBoolean() ? (int) interesting(random) & 0xffff : random.nextInt(0x10000);
                putLE(bytes, frame, 2, type);
                how.append("type of frame at ").append(frame).append(" := ").append(type).append("; ");
                byteOps = random.nextInt(2);
            }
            case 2 -> {
                int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
                int at = frame + 8 + random.nextInt(Math.max(1, Math.min(64, bytes.length - frame - 8)));
                if (at + width <= bytes.length) {
                    long value = interesting(random);
                    putLE(bytes, at, width, value);
                    how.append("u").append(8 * width).append(" at ").append(at).append(" := ").append(value).append("; ");
                }
                byteOps = random.nextInt(2);
            }
            default -> byteOps = 1 + random.nextInt(3);
        }
        for (int i = 0; i < byteOps; i++) {
            bytes = byteMutation(bytes, random, how);
        }
        return bytes;
    }

    private static byte[] byteMutation(byte[] bytes, Random random, StringBuilder how) {
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        int span = 1 + random.nextInt(16);
        switch (random.nextInt(6)) {
            case 0 -> {
                if (bytes.length > 0) {
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                    how.append("flip bit at ").append(at).append("; ");
                }
            }
            case 1 -> {
                for (int i = at; i < Math.min(bytes.length, at + span); i++) {
                    bytes[i] = (byte) random.nextInt();
                }
                how.append("overwrite ").append(span).append(" at ").append(at).append("; ");
            }
            case 2 -> {
                byte[] inserted = SampleRecords.bytes(random, span);
                bytes = Wire.concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
                how.append("insert ").append(span).append(" at ").append(at).append("; ");
            }
            case 3 -> {
                int end = Math.min(bytes.length, at + span);
                bytes = Wire.concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, end, bytes.length));
                how.append("delete ").append(end - at).append(" at ").append(at).append("; ");
            }
            case 4 -> {
                bytes = Arrays.copyOf(bytes, at);
                how.append("truncate at ").append(at).append("; ");
            }
            default -> {
                int end = Math.min(bytes.length, at + span * 8);
                bytes = Wire.concat(bytes, Arrays.copyOfRange(bytes, at, end));
                how.append("append copy of ").append(at).append("..").append(end).append("; ");
            }
        }
        return bytes;
    }

    private static long interesting(Random random) {
        return INTERESTING[random.nextInt(INTERESTING.length)];
    }

    private static int getIntLE(byte[] bytes, int at) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    private static void putLE(byte[] bytes, int at, int width, long value) {
        for (int i = 0; i < width && at + i < bytes.length; i++) {
            bytes[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
