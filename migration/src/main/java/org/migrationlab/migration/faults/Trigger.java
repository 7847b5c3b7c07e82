package org.migrationlab.migration.faults;

/**
 * The migration event at which a fault fires (docs/FAULTS.md): never a wall-clock instant, so that a plan
 * hits the same point of a migration on every run. Shares count pages as the source hands them to a
 * connection.
 */
public sealed interface Trigger {
    /** The canonical text, starting with {@code at}. */
    String print();

    /** Whether it fires once SWITCH_OVER goes out or later: the guest is no longer the source's alone. */
    default boolean fromSwitchOver() {
        return this instanceof SwitchOver || this instanceof PostcopyShare;
    }

    /** {@code at precopy round N}: as the first page of pre-copy round {@code round} goes out. */
    record PrecopyRound(int round) implements Trigger {
        public PrecopyRound {
            if (round < 0 || round > MAX_ROUND) {
                throw new IllegalArgumentException("round " + round + " is not in [0, " + MAX_ROUND + "]");
            }
        }

        @Override
        public String print() {
            return "at precopy round " + round;
        }
    }

    /**
     * {@code at precopy P%}: once the pages sent before the switch-over (every round and the stop-and-copy
     * counted) reach {@code percent} % of the guest's pages.
     */
    record PrecopyShare(int percent) implements Trigger {
        public PrecopyShare {
            checkPercent(percent);
        }

        @Override
        public String print() {
            return "at precopy " + percent + "%";
        }
    }

    /** {@code at switch-over}: as the SWITCH_OVER goes out (the guest is paused on the source). */
    record SwitchOver() implements Trigger {
        @Override
        public String print() {
            return "at switch-over";
        }
    }

    /**
     * {@code at postcopy P%}: once the pages sent after the switch-over (pushed, prepaged and demanded)
     * reach {@code percent} % of the pages that were still to come at the switch-over. Never fires in a
     * pre-copy migration, nor in one whose switch-over left no page to come.
     */
    record PostcopyShare(int percent) implements Trigger {
        public PostcopyShare {
            checkPercent(percent);
        }

        @Override
        public String print() {
            return "at postcopy " + percent + "%";
        }
    }

    /** The highest round a trigger may name. */
    int MAX_ROUND = 1_000;

    private static void checkPercent(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("share " + percent + "% is not in [0%, 100%]");
        }
    }
}
