package org.migrationlab.vmm.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.port.GuestProgress;
import org.migrationlab.migration.progress.ProgressCounters;

/** The once-a-second guest progress line, and the thread that prints it. */
class ProgressPrinterTest {
    private long now;

    /** A guest's live progress that the test sets by hand. */
    private static final class FakeProgress implements GuestProgress {
        private final long[] counters = new long[16];
        private long virtualNanos;

        void update(int counter, long value, long nanos) {
            counters[counter] = value;
            virtualNanos = nanos;
        }

        @Override
        public long units() {
            return counters[ProgressCounters.PROGRESS];
        }

        @Override
        public long[] counters() {
            return counters.clone();
        }

        @Override
        public long virtualTimeNanos() {
            return virtualNanos;
        }
    }

    @Test
    void lineShowsProgressRateOverTheLastIntervalPassesVirtualTimeAndElapsed() {
        FakeProgress live = new FakeProgress();
        List<String> unused = new ArrayList<>();
        now = 5_000_000_000L;
        ProgressPrinter printer = new ProgressPrinter(live, unused::add, () -> now);

        live.update(ProgressCounters.PROGRESS, 1_000_000, 1_000_000_000L);
        live.update(ProgressCounters.PASSES, 2, 1_000_000_000L);
        now += 1_000_000_000L;
        assertThat(printer.line()).isEqualTo(
                "progress: 1,000,000 units, 1.00 M units/s, passes 2, virtual 1.000 s, elapsed 1.0 s");

        live.update(ProgressCounters.PROGRESS, 1_500_000, 1_500_000_000L);
        now += 2_000_000_000L;
        assertThat(printer.line()).isEqualTo(
                "progress: 1,500,000 units, 250 k units/s, passes 2, virtual 1.500 s, elapsed 3.0 s");
        assertThat(unused).isEmpty();
    }

    @Test
    void otherCountersDoNotDisturbProgressButAdvanceVirtualTime() {
        FakeProgress live = new FakeProgress();
        now = 0;
        ProgressPrinter printer = new ProgressPrinter(live, line -> { }, () -> now);
        live.update(ProgressCounters.PROGRESS, 64, 64_000);
        live.update(5, 9, 73_000);
        now = 1_000_000_000L;
        assertThat(printer.line()).startsWith("progress: 64 units,").contains("passes 0, virtual 73.00 µs");
    }

    @Test
    void startedPrinterHandsLinesToItsSinkOnTheProgressThreadUntilClosed() throws InterruptedException {
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        FakeProgress live = new FakeProgress();
        live.update(ProgressCounters.PROGRESS, 42, 42_000);
        ProgressPrinter printer = ProgressPrinter.start(live, line -> threads.add(Thread.currentThread().getName() + " " + line));
        try {
            String first = threads.poll(10, TimeUnit.SECONDS);
            assertThat(first).startsWith("progress progress: 42 units,");
        } finally {
            printer.close();
        }
    }
}
