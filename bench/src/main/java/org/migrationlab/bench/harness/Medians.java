package org.migrationlab.bench.harness;

import java.util.Arrays;
import java.util.Collection;

/**
 * The two medians the harnesses report, side by side because they mean different things.
 * {@link #of} is the statistical median, for timings summarised over runs: with an even count it is
 * the mean of the two middle values, a time no run had. {@link #middleRun} is the run in the middle
 * itself: with an even count the upper of the two middle values, so it is always a value some run
 * really had and counts (pages, bytes) stay whole.
 */
final class Medians {
    private Medians() {
    }

    /** The middle value, or the mean of the two middle values of an even count. */
    static double of(double... values) {
        double[] sorted = sorted(values);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** {@link #of(double...)} of the values collected run by run. */
    static double of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** {@link #of(double...)} of whole values, such as nanosecond timings. */
    static double of(long... values) {
        return of(Arrays.stream(values).asDoubleStream().toArray());
    }

    /** The middle value, or the upper of the two middle values of an even count. */
    static long middleRun(long... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** {@link #middleRun(long...)} of fractional values. */
    static double middleRun(double... values) {
        return sorted(values)[values.length / 2];
    }

    private static double[] sorted(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted;
    }
}
