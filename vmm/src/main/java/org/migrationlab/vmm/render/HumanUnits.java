package org.migrationlab.vmm.render;

import java.util.Locale;

/** Numbers as people read them in reports: grouped counts, SI rates, scaled durations, binary sizes. */
public final class HumanUnits {
    private static final String[] SI = {"", " k", " M", " G", " T"};
    private static final String[] BINARY = {"bytes", "KiB", "MiB", "GiB", "TiB"};

    private HumanUnits() {
    }

    /** 12345678 → "12,345,678". */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 1234567.0 → "1.23 M" (three significant digits, SI prefix; the unit follows). */
    public static String rate(double perSecond) {
        if (!Double.isFinite(perSecond)) {
            return "-";
        }
        double value = perSecond;
        int scale = 0;
        while (Math.abs(value) >= 999.5 && scale < SI.length - 1) {
            value /= 1000;
            scale++;
        }
        String digits = Math.abs(value) >= 99.95 || scale == 0 && value == Math.rint(value)
                ? String.format(Locale.ROOT, "%.0f", value)
                : Math.abs(value) >= 9.995 ? String.format(Locale.ROOT, "%.1f", value)
                : String.format(Locale.ROOT, "%.2f", value);
        return digits + SI[scale];
    }

    /** 1234567 ns → "1.23 ms"; 3_500_000_000 ns → "3.500 s". */
    public static String duration(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    /** 536870912 → "512 MiB"; sizes that are no whole binary unit stay in bytes. */
    public static String bytes(long bytes) {
        int scale = 0;
        long value = bytes;
        while (scale < BINARY.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            scale++;
        }
        return count(value) + " " + BINARY[scale];
    }

    /** 0x0000_0000_dead_beef → "0x00000000deadbeef". */
    public static String hex64(long value) {
        return String.format(Locale.ROOT, "0x%016x", value);
    }
}
