package org.migrationlab.migration.precopy.stop;

import java.util.Locale;
import org.migrationlab.emulator.memory.GuestMemory;

/** The stop-and-copy time that the pages still dirty would take at the measured link rate. */
final class DowntimeEstimate {
    static final long UNKNOWN = -1;

    private DowntimeEstimate() {
    }

    /** dirtyPages × 4096 / bytesPerSecond, in ns rounded up; 0 with nothing dirty; -1 if the rate is unknown. */
    static long nanos(long dirtyPages, double bytesPerSecond) {
        if (dirtyPages == 0) {
            return 0;
        }
        if (!(bytesPerSecond > 0) || Double.isInfinite(bytesPerSecond)) {
            return UNKNOWN;
        }
        double nanos = Math.ceil((double) dirtyPages * GuestMemory.PAGE_SIZE / bytesPerSecond * 1e9);
        return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
    }

    /** Milliseconds with two decimals, or "unknown", for reasons in reports. */
    static String millis(long nanos) {
        return nanos < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
}
