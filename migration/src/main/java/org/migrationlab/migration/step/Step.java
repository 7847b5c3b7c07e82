package org.migrationlab.migration.step;

import java.util.Locale;

/** The points step mode can advance by one. */
public enum Step {
    /** One pre-copy round: the pages of the last round's dirty log (round 0: every page). */
    PRECOPY_ROUND,
    /** One post-copy batch of pushed or prepaged pages (up to a batch's pages). */
    PREPAGE_BATCH,
    /** One network fault taken by the post-copy push as its pivot (faults themselves are served at once). */
    NETWORK_FAULT,
    /**
     * One slice of the guest itself: while the migration is paused (and its guest parked), the source's guest
     * runs on until its progress counter has advanced by a slice's units ({@link Stepper#sliceUnits()}), and is
     * parked again. Not a step point of the session thread: the engine never {@linkplain StepGate#pass passes}
     * it, and the migration stays where it is held.
     */
    GUEST_SLICE;

    /** The name commands use: precopy-round, prepage-batch, network-fault, guest-slice. */
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
