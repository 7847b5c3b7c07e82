package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.emulator.testing.TestSeed;
import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.testing.StreamMutator;

/**
 * Seeded mutations of valid streams: each mutated stream, fed in random chunks, either
 * decodes to valid records (whose pages then decode or fail their CRC) or fails with a
 * {@link ProtocolException}; nothing else is thrown, nothing leaks, nothing hangs. The seed is printed
 * and in every failure; rerun one with {@code -Dmigrationlab.seed=N}.
 */
@ExtendWith(NoLeaks.class)
class StreamMutationTest {
    private static final int MUTATIONS = 12_000;
    private static final int BASE_STREAMS = 48;
    @Test
    void mutatedStreamsDecodeOrFailWithProtocolErrorsOnly() {
        TestSeed testSeed = TestSeed.forTest("StreamMutationTest");
        long seed = testSeed.value();
        Random random = testSeed.random();
        List<StreamMutator.Stream> bases = new ArrayList<>();
        for (int i = 0; i < BASE_STREAMS; i++) {
            bases.add(validStream("stream " + i, random, 1 + random.nextInt(12)));
        }
        Map<AbortReason, Integer> failures = new EnumMap<>(AbortReason.class);
        int[] clean = new int[1];
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment target = arena.allocate(org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE);
                for (int i = 0; i < MUTATIONS; i++) {
                    StreamMutator.Mutation mutation = StreamMutator.mutate(bases.get(random.nextInt(bases.size())),
                            random);
                    byte[] mutated = mutation.bytes();
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
                        throw new AssertionError("seed " + seed + ", mutation " + i + " (" + mutation.description() + "): " + e.getMessage(), e);
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

    private static StreamMutator.Stream validStream(String name, Random random, int records) {
        List<MigrationRecord> sent = new ArrayList<>();
        try {
            for (int i = 0; i < records; i++) {
                sent.add(SampleRecords.random(random, ByteBufAllocator.DEFAULT));
            }
            return StreamMutator.Stream.of(name, sent);
        } finally {
            sent.forEach(ReferenceCountUtil::release);
        }
    }
}
