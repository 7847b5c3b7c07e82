package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.testing.TestSeed;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.SourceStreams;
import org.migrationlab.migration.testing.StreamMutator;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Seeded random mutations of valid pre-copy and post-copy streams, each sent by a hand-played source
 * after a valid handshake to a real destination over loopback, several sessions at a time. Every
 * session must end with a clear error and a closed connection; nothing may leak, hang or outlive its
 * session. Prints its seed; rerun one with {@code -Dmigrationlab.seed=N}, change the number with
 * {@code -Dmigration.mutation.count=N}.
 */
@ExtendWith(NoLeaks.class)
class DestinationMutationIT {
    private static final int WORKERS = 4;
    private static final long RECOVER_TIMEOUT_MILLIS = 20;

    @Test
    @Timeout(300)
    void everyMutatedStreamEndsItsSessionCleanly() throws Exception {
        int count = Integer.getInteger("migration.mutation.count", 10_000);
        long seed = TestSeed.forTest("DestinationMutationIT, " + count + " mutations").value();
        SourceStreams source = SourceStreams.get();
        List<StreamMutator.Stream> bases = List.of(SourceStreams.stream("pre-copy", source.precopyFrames()),
                SourceStreams.stream("post-copy", source.postcopyFrames()));
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        Map<AbortReason, AtomicInteger> reasons = new EnumMap<>(AbortReason.class);
        for (AbortReason reason : AbortReason.values()) {
            reasons.put(reason, new AtomicInteger());
        }
        AtomicInteger transportErrors = new AtomicInteger();
        AtomicInteger abortsReceived = new AtomicInteger();
        long start = System.nanoTime();
        // A post-copy stream cut after the switch-over pauses its session for a recovery (PROTOCOL §5.6) that
        // never comes here: a short recover timeout ends it well within the wait for its end.
        try (LoopbackDestination destination = new LoopbackDestination(TransportConfig.of(LoopbackMigration.SECRET),
                2 * WORKERS, DestinationHostileInputIT.MAX_RAM_BYTES, DestinationHostileInputIT.REPLY_TIMEOUT_MILLIS,
                RECOVER_TIMEOUT_MILLIS)) {
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    int first = w;
                    workers.add(pool.submit(() -> {
                        for (int i = first; i < count && problems.size() < 10; i += WORKERS) {
                            Random random = new Random(seed * 0x9E3779B97F4A7C15L + i); // one seed per mutation
                            StreamMutator.Mutation mutation = StreamMutator.mutate(bases.get(random.nextInt(10) < 7 ? 0 : 1),
                                    random);
                            String where = "seed " + seed + ", mutation " + i + " (" + mutation.description() + ")";
                            try {
                                LoopbackDestination.SourceEnding ending = destination.playSource(new UUID(seed, i),
                                        mutation.bytes(), DestinationHostileInputIT.WAIT_MILLIS);
                                ending.problems().forEach(problem -> problems.add(where + ": " + problem));
                                if (ending.failure() instanceof ProtocolException p) {
                                    reasons.get(p.reason()).incrementAndGet();
                                } else {
                                    transportErrors.incrementAndGet();
                                }
                                if (ending.wire().abort() != null) {
                                    abortsReceived.incrementAndGet();
                                }
                            } catch (Exception | AssertionError e) {
                                problems.add(where + ": " + e);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> worker : workers) {
                    worker.get(280, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(problems).as("seed %d", seed).isEmpty();
            assertThat(destination.sessions()).as("one session per mutation").hasSize(count);
        }
        System.out.printf("DestinationMutationIT: %d mutations in %.1f s; sessions ended with %s, transport errors %d, "
                + "ABORT received by the source %d%n", count, (System.nanoTime() - start) / 1e9, reasons,
                transportErrors.get(), abortsReceived.get());
        assertThat(reasons.get(AbortReason.MALFORMED)).as("mutations reach the codec's checks").hasPositiveValue();
        assertThat(reasons.get(AbortReason.BAD_CRC)).as("mutations reach the page checks").hasPositiveValue();
        assertThat(reasons.get(AbortReason.BAD_STATE)).as("mutations reach the state checks").hasPositiveValue();
        assertThat(reasons.get(AbortReason.CONNECTION_LOST)).as("some mutated streams stay valid").hasPositiveValue();
        assertThat(LoopbackDestination.vcpuThreadsLeftAfter(DestinationHostileInputIT.WAIT_MILLIS))
                .as("destination vCPU threads left").isEmpty();
    }
}
