package org.migrationlab.vmm.eval;

import java.util.Locale;
import java.util.Map;

/**
 * The paper's figures (Hines and Gopalan, VEE 2009), read off its plots: the stress test's (figures 4 to 6 and
 * table 2) at working sets of 8, 16, 32, 64, 128, 256 and 512 MB in a 2 GB guest, the applications',
 * self-ballooning's overhead, the bandwidth traces, the degradation test and the multi-process Quicksort
 * figure. NaN where the paper gives no figure. These are the paper's numbers, for comparison only; nothing
 * here is measured.
 */
final class PaperFigures {
    static final double[] WORKING_SET_MB = {8, 16, 32, 64, 128, 256, 512};
    private static final double N = Double.NaN;

    /** A table cell for one of these figures: {@code pattern} applied to it, or "—" where the paper gives none. */
    static String cell(double figure, String pattern) {
        return Double.isNaN(figure) ? "—" : String.format(Locale.ROOT, pattern, figure);
    }

    /** Total migration time, seconds (figure 4). */
    static final Map<String, double[]> TOTAL_SECONDS = Map.of(
            "Write pre-copy", new double[] {28, 28, 31, 32.5, 44, 54, 73},
            "Write pre-copy DSB", new double[] {7, 7.5, 9, 15, 25, 39.5, 60},
            "Read pre-copy", new double[] {26.5, 25, 26, 26, 27.5, 27, 28},
            "Read pre-copy DSB", new double[] {5, 5.5, 5.5, 5.5, 6, 6.5, 10.5},
            "Read post-copy", new double[] {25, 25, 26, 26, 26, 28, 33},
            "Write post-copy", new double[] {24, 25, 24.5, 24.5, 25, 27, 36},
            "Read post-copy DSB", new double[] {5, 5.5, 6, 8, 10.5, 14.5, 20.5},
            "Write post-copy DSB", new double[] {5, 5.5, 6.5, 9, 12, 16.5, 26},
            "Stop-and-copy DSB", new double[] {4.5, 4.5, 5, 4.5, 5, 6.5, 9});

    /** Downtime, milliseconds (figure 5; read and write post-copy share a curve). */
    static final Map<String, double[]> DOWNTIME_MS = Map.of(
            "Write pre-copy", new double[] {90, 170, 330, 600, 1250, 2400, 4900},
            "Write pre-copy DSB", new double[] {100, 200, 340, 580, 1000, 1750, 4900},
            "Read pre-copy", new double[] {20, 19, 19.5, 20, 20.5, 18.5, 19},
            "Read pre-copy DSB", new double[] {35, 40, 38, 34, 30, 30, 47},
            "Read post-copy", new double[] {20000, 20000, 20000, 20000, 19000, 18000, 15500},
            "Write post-copy", new double[] {20000, 20000, 20000, 20000, 19000, 18000, 15500},
            "Read post-copy DSB", new double[] {680, 680, 680, 680, 680, 800, 1050},
            "Write post-copy DSB", new double[] {680, 680, 680, 680, 680, 800, 1050});

    /** Pages transferred, thousands of 4 KiB pages (figure 6). */
    static final Map<String, double[]> PAGES_K = Map.of(
            "Write pre-copy", new double[] {550, 530, 580, 620, 710, 905, 1380},
            "Write pre-copy DSB", new double[] {60, 75, 95, 165, 295, 600, 945},
            "Read pre-copy", new double[] {524, 524, 524, 524, 524, 524, 524},
            "Read pre-copy DSB", new double[] {30, N, N, N, 55, 90, 140},
            "Read post-copy", new double[] {524, 524, 524, 524, 524, 524, 524},
            "Write post-copy", new double[] {524, 524, 524, 524, 524, 524, 524},
            "Read post-copy DSB", new double[] {30, N, N, N, 55, 90, 155},
            "Write post-copy DSB", new double[] {30, N, N, N, 55, 90, 155},
            "Stop-and-copy DSB", new double[] {30, N, N, N, 55, 90, 115});

    /** Network faults as a share of all faults, percent (table 2), with prepaging and with plain pushing. */
    static final double[] NETWORK_PERCENT_PREPAGING = {2, 4, 4, 3, 3, 3, N};
    static final double[] NETWORK_PERCENT_PUSHING = {15, 13, 13, 10, 9, 10, N};

    /**
     * The applications (figures 12 to 15, a 512 MB guest with self-ballooning), by the paper's application
     * whose role ours plays: SPECweb2005 (kvstore), kernel compile (kcompile), NetPerf (stream).
     *
     * @param pagesPostK       pages sent by post-copy, thousands
     * @param pagesPreK        pages sent by pre-copy, thousands
     * @param networkPercent   network faults as a share of post-copy's faults
     * @param networkFaults    network faults, count
     * @param minorFaults      minor faults, count
     * @param totalPostSeconds total time, post-copy
     * @param totalPreSeconds  total time, pre-copy
     * @param downtimePostMs   downtime, post-copy
     * @param downtimePreMs    downtime, pre-copy
     */
    record Application(String paperName, double pagesPostK, double pagesPreK, double networkPercent,
                       double networkFaults, double minorFaults, double totalPostSeconds, double totalPreSeconds,
                       double downtimePostMs, double downtimePreMs) {
    }

    static final Application SPECWEB = new Application("SPECweb2005", 129.5, 182, 21, 9600, 37000, 8.4, 10.8, 1810,
            575);
    static final Application KERNEL_COMPILE = new Application("kernel compile", 20.7, 61.4, 59, 750, 510, 3.0, 6.4,
            1335, 250);
    static final Application NETPERF = new Application("NetPerf", 28.6, 116, 57, 24, 18, 3.3, 6.9, 1145, 280);

    /**
     * Slowdown in seconds of the paper's 439 s kernel compile with self-ballooning at an interval, by the
     * interval in jiffies of 10 ms (figure 11), for its 128 MB and 512 MB guests.
     */
    static final Map<Long, Double> DSB_SLOWDOWN_SECONDS_128MB = Map.of(20L, 44.0, 40L, 30.0, 100L, 17.0, 200L, 13.0,
            400L, 8.0, 600L, 1.0, 900L, 1.0);
    static final Map<Long, Double> DSB_SLOWDOWN_SECONDS_512MB = Map.of(20L, 16.0, 40L, 7.5, 100L, 7.5, 200L, 9.0,
            400L, 6.0, 600L, 6.0, 900L, 0.0);

    /**
     * NetPerf's rate across one migration (figures 9 and 10, a fine-grained trace).
     *
     * @param normalMbps       before and after the migration
     * @param lowestMbps       the deepest dip (the CPU-state transfer)
     * @param duringMbps       the rate while pages moved, as the paper's plot shows it
     * @param migrationSeconds from the self-ballooning call to the migration's end
     */
    record BandwidthTrace(double normalMbps, double lowestMbps, String duringMbps, double migrationSeconds) {
    }

    static final BandwidthTrace TRACE_POSTCOPY = new BandwidthTrace(940, 20, "300–550 between dips", 5.5);
    static final BandwidthTrace TRACE_PRECOPY = new BandwidthTrace(940, 30, "300–450 sustained", 4.8);

    /** The guests of the degradation test (figures 7 and 8), MB. */
    static final long[] DEGRADATION_GUEST_MB = {128, 256, 512, 1024};

    /**
     * An application's completion time migrated back and forth with 5 s pauses (figures 7 and 8), seconds.
     *
     * @param noMigrationSeconds the same run never migrated
     * @param post               post-copy, by guest size
     * @param preDsb             pre-copy with self-ballooning
     * @param pre                pre-copy without it
     */
    record Degradation(String paperName, double noMigrationSeconds, double[] post, double[] preDsb, double[] pre) {
        double[] seconds(String scheme) {
            return switch (scheme) {
                case "post-copy" -> post;
                case "pre-copy DSB" -> preDsb;
                case "pre-copy w/o DSB" -> pre;
                default -> throw new IllegalArgumentException("no paper figure for " + scheme);
            };
        }
    }

    static final Degradation DEGRADATION_KERNEL_COMPILE = new Degradation("kernel compile", 168,
            new double[] {217, 217, 217, 219}, new double[] {214, 215, 217, 220}, new double[] {215, 226, 235, 257});
    static final Degradation DEGRADATION_NETPERF = new Degradation("NetPerf", 119,
            new double[] {138, 141, 149, 153}, new double[] {141, 152, 158, 159}, new double[] {191, 195, 201, 235});

    /** The multi-process Quicksort figure: P processes sharing 512 MB (1 × 512 MB, 2 × 256 MB, … 128 × 4 MB). */
    static final double QUICKSORT_TOTAL_MB = 512;
    static final int[] QUICKSORT_PROCS = {1, 2, 4, 8, 16, 32, 64, 128};

    /**
     * The paper's numbers, read off its plot (approximate): network faults at 32 processes × 16 MB with
     * push-only and with its best multi-pivot (dual-direction) variant.
     */
    static final double QUICKSORT_PUSH_AT_32 = 5455;
    static final double QUICKSORT_BEST_MULTI_PIVOT_AT_32 = 1440;

    /**
     * Network faults per prepaging strategy at {@link #QUICKSORT_PROCS}, the paper's numbers read off its
     * plot; NaN for every bar not read here (only the 32-process push-only and multi-pivot bars are). Its
     * reading besides: at 8 or more processes push-only is highest and dual and multi-pivot lowest; at 1 to 4
     * processes the bars are small and noisy.
     */
    static final Map<String, double[]> QUICKSORT_NETWORK_FAULTS = Map.of(
            "Push-only", new double[] {N, N, N, N, N, QUICKSORT_PUSH_AT_32, N, N},
            "Forward (single pivot)", new double[] {N, N, N, N, N, N, N, N},
            "Dual (single pivot)", new double[] {N, N, N, N, N, N, N, N},
            "Multi-pivot (dual)", new double[] {N, N, N, N, N, QUICKSORT_BEST_MULTI_PIVOT_AT_32, N, N});

    private PaperFigures() {
    }
}
