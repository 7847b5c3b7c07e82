package org.migrationlab.vmm.eval;

import java.util.Locale;
import java.util.Optional;

/**
 * Reads a table of "ours" beside "paper" columns and says how far apart they are: how many of our
 * figures differ from the paper's by more than a factor of two, and the range of ours / paper.
 */
final class Ratios {
    private Ratios() {
    }

    static Optional<String> describe(ExperimentResult.Table table) {
        int compared = 0;
        int far = 0;
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (var row : table.rows()) {
            for (int c = 1; c + 1 < row.size(); c += 2) {
                double ours = leadingNumber(row.get(c));
                double paper = leadingNumber(row.get(c + 1));
                if (Double.isNaN(ours) || Double.isNaN(paper) || paper == 0 || ours == 0) {
                    continue;
                }
                double ratio = ours / paper;
                compared++;
                low = Math.min(low, ratio);
                high = Math.max(high, ratio);
                if (ratio > 2 || ratio < 0.5) {
                    far++;
                }
            }
        }
        if (compared == 0) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "%s: %d of %d figures differ from the paper's by more than "
                + "a factor of two; ours / paper ranges from %s to %s.", table.title(), far, compared, factor(low),
                factor(high)));
    }

    private static String factor(double ratio) {
        return ratio >= 0.1 ? String.format(Locale.ROOT, "%.2fx", ratio) : String.format(Locale.ROOT, "%.4fx", ratio);
    }

    /** The number a cell starts with ("12.3 (11.0–14.2)" → 12.3), NaN for "—". */
    static double leadingNumber(String cell) {
        int end = cell.indexOf(' ');
        String head = end < 0 ? cell : cell.substring(0, end);
        try {
            return Double.parseDouble(head);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
