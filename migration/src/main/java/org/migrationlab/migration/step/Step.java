package org.migrationlab.migration.step;

import java.util.Locale;

/** The points step mode can advance by one. */
public enum Step {
    /** One pre-copy round: the pages of the last round's dirty log (round 0: every page). */
    PRECOPY_ROUND,
    /** One post-copy batch of pushed or prepaged pages (up to a batch's pages). */
    PREPAGE_BATCH,
    /** One network fault taken by the post-copy push as its pivot (faults themselves are served at once). */
    NETWORK_FAULT;

    /** The name commands use: precopy-round, prepage-batch. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Step ofLabel(String label) {
        for (Step step : values()) {
            if (step.label().equals(label)) {
                return step;
            }
        }
        throw new IllegalArgumentException("unknown step " + label);
    }
}
