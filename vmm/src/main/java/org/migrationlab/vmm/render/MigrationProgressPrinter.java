package org.migrationlab.vmm.render;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.migrationlab.migration.progress.MigrationProgress;

/**
 * Prints a line about once a second while a migration runs: its phase, the pages still to send, and
 * the pages and megabytes (10^6 bytes of page data) sent per second over the last interval. Runs on its
 * own daemon thread ({@code migration-progress}) and only reads the live {@link MigrationProgress}.
 */
public final class MigrationProgressPrinter implements AutoCloseable {

    private final MigrationProgress progress;
    private final Consumer<String> out;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private LineTicker timer;
    /** Touched only by the timer thread (and by tests calling {@link #line()} directly). */
    private long lastNanos;
    private long lastPages;
    private long lastBytes;

    /** A printer whose lines are taken by hand with {@link #line()}, timed by {@code nanoClock}. */
    public MigrationProgressPrinter(MigrationProgress progress, Consumer<String> out, LongSupplier nanoClock) {
        this.progress = progress;
        this.out = out;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastNanos = startNanos;
    }

    /** Starts handing a line to {@code out} once a second until closed; the first comes after one second. */
    public static MigrationProgressPrinter start(MigrationProgress progress, Consumer<String> out) {
        MigrationProgressPrinter printer = new MigrationProgressPrinter(progress, out, System::nanoTime);
        printer.timer = LineTicker.start("migration-progress", printer::line, printer.out);
        return printer;
    }

    /** The next line; advances the interval the rates are measured over. */
    public String line() {
        long now = nanoClock.getAsLong();
        long pages = progress.totalPagesSent();
        long bytes = progress.normalBytes();
        double seconds = (now - lastNanos) / 1e9;
        double pagesPerSecond = seconds <= 0 ? 0 : (pages - lastPages) / seconds;
        double megabytesPerSecond = seconds <= 0 ? 0 : (bytes - lastBytes) / seconds / 1e6;
        lastNanos = now;
        lastPages = pages;
        lastBytes = bytes;
        return "migration: " + progress.phase() + ", " + HumanUnits.count(progress.remainingPages())
                + " pages remaining, " + HumanUnits.rate(pagesPerSecond) + " pages/s, "
                + String.format(Locale.ROOT, "%.1f MB/s", megabytesPerSecond)
                + ", elapsed " + String.format(Locale.ROOT, "%.1f s", (now - startNanos) / 1e9);
    }

    /** Stops printing; a line being printed is finished first. */
    @Override
    public void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
