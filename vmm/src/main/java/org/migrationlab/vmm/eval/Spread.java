package org.migrationlab.vmm.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The median and range of a point's runs, and how tables print them. */
record Spread(double median, double min, double max) {
    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(median, sorted[0], sorted[n - 1]);
    }

    /** The spread of {@code value} over {@code items}: one value an item, e.g. a figure of each run's report. */
    static <T> Spread of(List<T> items, ToDoubleFunction<? super T> value) {
        return of(items.stream().map(value::applyAsDouble).toList());
    }

    ExperimentResult.Point at(double x) {
        return new ExperimentResult.Point(x, median, min, max);
    }

    /** "12.3" for one run, "12.3 (11.0–14.2)" for several. */
    String format(String pattern) {
        String m = String.format(Locale.ROOT, pattern, median);
        return min == max ? m : m + " (" + String.format(Locale.ROOT, pattern, min) + "–"
                + String.format(Locale.ROOT, pattern, max) + ")";
    }
}
