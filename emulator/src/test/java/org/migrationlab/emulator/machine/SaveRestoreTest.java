package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.migrationlab.emulator.cpu.CpuState;
import org.migrationlab.emulator.cpu.CpuStateCodec;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.emulator.testing.KernelGuests.Outcome;
import org.migrationlab.emulator.testing.TestSeed;

/**
 * Pause, capture CPU and device state, encode and decode it, restore into a fresh machine with copied
 * memory: the copy continues and ends byte-identical to a run that was never interrupted, and so does
 * the original when resumed.
 */
class SaveRestoreTest {
    private static final long RAM = 32L << 20;

    @ParameterizedTest
    @ValueSource(strings = {"wss:wss=4M:pattern=random:passes=6", "kvstore:requests=4000",
            "incrementer:range=2M:sweeps=12", "stream:bytes=2M", "quicksort:procs=4:size=1M:rounds=2",
            "kcompile:objects=256:ops=30000"})
    void restoredCopyEndsLikeAnUninterruptedRun(String spec) {
        String[] parts = spec.split(":");
        MachineConfig config = KernelGuests.config(RAM, parts[0], 17,
                java.util.Arrays.copyOfRange(parts, 1, parts.length));
        Outcome reference;
        long total;
        try (Machine uninterrupted = KernelGuests.boot(config)) {
            reference = KernelGuests.runToEnd(uninterrupted);
            total = uninterrupted.counters().value(0);
        }
        try (Machine original = KernelGuests.boot(config)) {
            // Pause from inside the guest's own progress report, about halfway through.
            long halfway = Math.max(1, total / 2);
            original.counters().listener((counter, value) -> {
                if (counter == 0 && value >= halfway) {
                    original.requestPause();
                }
            });
            assertThat(original.run()).isInstanceOf(VcpuExit.Paused.class);
            original.counters().listener((counter, value) -> { });
            assertThat(original.counters().value(0)).isLessThan(total);

            CpuState cpu = CpuStateCodec.decode(CpuStateCodec.encode(original.saveCpu()));
            try (Machine copy = copyOf(original, cpu)) {
                assertThat(KernelGuests.runToEnd(copy)).isEqualTo(reference);
            }
            assertThat(KernelGuests.runToEnd(original)).isEqualTo(reference);
        }
    }

    /** The guest paused at random moments, and its uninterrupted run: one run serves every repetition. */
    private static final class RandomPauses {
        static final MachineConfig CONFIG = KernelGuests.config(RAM, "wss", 23, "wss=8M", "pattern=random",
                "passes=400");
        static final Outcome REFERENCE = KernelGuests.referenceRun(CONFIG);
    }

    /** Repeated: before pauses were made cooperative, about half of such pauses corrupted the guest. */
    @org.junit.jupiter.api.RepeatedTest(4)
    void pausedFromAnotherThreadAtARandomMomentTheCopyStillMatches() throws Exception {
        MachineConfig config = RandomPauses.CONFIG;
        Outcome reference = RandomPauses.REFERENCE;
        long total = 400L * 2048;
        TestSeed seed = TestSeed.forTest("pausedFromAnotherThreadAtARandomMomentTheCopyStillMatches");
        long threshold = total / 10 + seed.random().nextLong(total / 3);
        try (Machine original = KernelGuests.boot(config)) {
            CountDownLatch reached = new CountDownLatch(1);
            original.counters().listener((counter, value) -> {
                if (counter == 0 && value >= threshold) {
                    reached.countDown();
                }
            });
            CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(original::run,
                    r -> new Thread(r, "vcpu-0").start());
            assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(original.pause(30, TimeUnit.SECONDS)).isTrue();
            assertThat(run.get(30, TimeUnit.SECONDS)).isInstanceOf(VcpuExit.Paused.class);
            original.counters().listener((counter, value) -> { });

            try (Machine copy = copyOf(original, CpuStateCodec.decode(CpuStateCodec.encode(original.saveCpu())))) {
                assertThat(KernelGuests.runToEnd(copy)).as("the copy paused past %d, %s", threshold, seed)
                        .isEqualTo(reference);
            }
            assertThat(KernelGuests.runToEnd(original)).as("the original, %s", seed).isEqualTo(reference);
        }
    }

    private static Machine copyOf(Machine original, CpuState cpu) {
        Machine copy = Machine.empty(original.config());
        copy.restoreCpu(cpu);
        copy.restoreDevices(original.saveDevices());
        for (long page = 1; page < original.memory().pageCount(); page++) {
            if (original.memory().state(page) == PageState.PRESENT) {
                copy.installPage(page, original.memory().ram().segment(), page * 4096);
            }
        }
        return copy;
    }
}
