package org.migrationlab.migration.journal;

/**
 * The steps of ownership a journal records. {@link #SWITCH_OVER_SENT} is the one in doubt: the source still
 * holds the paused guest, but the destination may already run it; only the destination's journal (or its
 * answer) settles which.
 */
public enum Phase {
    /** The migration started; the source runs the guest. */
    SOURCE_OWNS,
    /** The source stopped the guest and sends SWITCH_OVER: journaled before it goes out. */
    SWITCH_OVER_SENT,
    /** The destination runs the guest: journaled by the destination before it resumes the guest, by the source on RESUMED. */
    DESTINATION_OWNS,
    COMPLETED,
    FAILED,
    /** The migration failed after SWITCH_OVER went out and the source resumed its own copy. */
    ROLLED_BACK;

    public String label() {
        return name().toLowerCase().replace('_', '-');
    }

    public static Phase ofLabel(String label) {
        return valueOf(label.toUpperCase().replace('-', '_'));
    }

    /** Whether the migration is over: no later transition follows. */
    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == ROLLED_BACK;
    }
}
