package org.migrationlab.vmm.render;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.migrationlab.emulator.port.GuestProgress;
import org.migrationlab.migration.progress.ProgressCounters;

/**
 * Prints a progress line about once a second while a guest runs: counter 0, its rate over the last
 * interval, passes, the virtual clock and the wall time elapsed. The first line comes after one
 * interval, so short runs print none. Runs on its own daemon thread ({@code progress}) and only reads
 * the guest's live {@link GuestProgress}; it never touches the machine.
 */
public final class ProgressPrinter implements AutoCloseable {

    private final GuestProgress live;
    private final Consumer<String> out;
    private final LongSupplier nanoClock;
    private final long startNanos;
    /** Null when lines are taken by hand (tests); set once by {@link #start}. */
    private LineTicker timer;
    /** Touched only by the timer thread (and by tests calling {@link #line()} directly). */
    private long lastNanos;
    private long lastProgress;

    ProgressPrinter(GuestProgress live, Consumer<String> out, LongSupplier nanoClock) {
        this.live = live;
        this.out = out;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastNanos = startNanos;
    }

    /** Starts handing a line to {@code out} once a second, on the {@code progress} thread, until closed. */
    public static ProgressPrinter start(GuestProgress live, Consumer<String> out) {
        ProgressPrinter printer = new ProgressPrinter(live, out, System::nanoTime);
        printer.timer = LineTicker.start("progress", printer::line, printer.out);
        return printer;
    }

    /** The next progress line; advances the interval used for the rate. */
    String line() {
        long now = nanoClock.getAsLong();
        long[] counters = live.counters();
        long progress = counters[ProgressCounters.PROGRESS];
        long intervalNanos = now - lastNanos;
        double rate = intervalNanos <= 0 ? 0 : (progress - lastProgress) * 1e9 / intervalNanos;
        lastNanos = now;
        lastProgress = progress;
        return "progress: " + HumanUnits.count(progress) + " units, " + HumanUnits.rate(rate) + " units/s, passes "
                + HumanUnits.count(counters[ProgressCounters.PASSES]) + ", virtual "
                + HumanUnits.duration(live.virtualTimeNanos())
                + ", elapsed " + String.format(java.util.Locale.ROOT, "%.1f s", (now - startNanos) / 1e9);
    }

    /** Stops printing; a line being printed is finished first. */
    @Override
    public void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
