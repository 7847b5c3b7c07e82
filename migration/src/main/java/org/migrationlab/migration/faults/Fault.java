package org.migrationlab.migration.faults;

/**
 * One fault of a plan (docs/FAULTS.md), with the event that fires it. Network faults act on one of the
 * migration's two connections as the source sees it; {@link Kill} names a process.
 */
public sealed interface Fault {
    /** The longest duration a plan may name (one hour): durations are milliseconds. */
    long MAX_MILLIS = 3_600_000;

    Trigger trigger();

    /** The canonical text of this fault. */
    String print();

    /** Which of the migration's connections a network fault acts on. */
    enum Link {
        BULK, URGENT;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Which process a {@link Kill} ends. */
    enum Side {
        SOURCE, DESTINATION;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** {@code close LINK at ...}: the source closes the connection, as a link or process that went away would. */
    record Close(Link link, Trigger trigger) implements Fault {
        public Close {
            java.util.Objects.requireNonNull(link, "link");
            java.util.Objects.requireNonNull(trigger, "trigger");
        }

        @Override
        public String print() {
            return "close " + link.word() + " " + trigger.print();
        }
    }

    /**
     * {@code silence LINK at ... [for D]}: nothing crosses the connection in either direction — the source
     * neither writes nor reads it, so TCP holds the peer's bytes too — but the socket stays open, as on a
     * link whose packets stop. For {@code forMillis} then everything held goes through in order; 0 means
     * for the rest of the connection.
     */
    record Silence(Link link, Trigger trigger, long forMillis) implements Fault {
        public Silence {
            java.util.Objects.requireNonNull(link, "link");
            java.util.Objects.requireNonNull(trigger, "trigger");
            checkMillis(forMillis);
        }

        @Override
        public String print() {
            return "silence " + link.word() + " " + trigger.print() + (forMillis == 0 ? "" : " for " + Durations.print(forMillis));
        }
    }

    /**
     * {@code delay LINK MIN-MAX at ...}: from the trigger on, every record the source writes on the
     * connection is held for a time drawn from the plan's seed in {@code [minMillis, maxMillis]}, in order.
     */
    record Delay(Link link, long minMillis, long maxMillis, Trigger trigger) implements Fault {
        public Delay {
            java.util.Objects.requireNonNull(link, "link");
            java.util.Objects.requireNonNull(trigger, "trigger");
            checkMillis(minMillis);
            checkMillis(maxMillis);
            if (maxMillis < minMillis) {
                throw new IllegalArgumentException("delay " + Durations.print(minMillis) + "-" + Durations.print(maxMillis)
                        + " ends before it starts");
            }
            if (maxMillis == 0) {
                throw new IllegalArgumentException("a delay of 0ms is no fault");
            }
        }

        @Override
        public String print() {
            String range = minMillis == maxMillis ? Durations.print(minMillis)
                    : Durations.print(minMillis) + "-" + Durations.print(maxMillis);
            return "delay " + link.word() + " " + range + " " + trigger.print();
        }
    }

    /**
     * {@code corrupt N page(s) at ...}: from the trigger on, the next {@code pages} pages that carry data
     * (on either connection) go out with one byte changed after their CRC was computed; the destination
     * must refuse them.
     */
    record Corrupt(int pages, Trigger trigger) implements Fault {
        /** The most pages one fault may corrupt. */
        public static final int MAX_PAGES = 1_000;

        public Corrupt {
            java.util.Objects.requireNonNull(trigger, "trigger");
            if (pages < 1 || pages > MAX_PAGES) {
                throw new IllegalArgumentException("corrupt " + pages + " pages: not in [1, " + MAX_PAGES + "]");
            }
        }

        @Override
        public String print() {
            return "corrupt " + pages + (pages == 1 ? " page " : " pages ") + trigger.print();
        }
    }

    /** {@code kill source|destination at ...}: the named process dies (SIGKILL). Parsed; not yet injected. */
    record Kill(Side side, Trigger trigger) implements Fault {
        public Kill {
            java.util.Objects.requireNonNull(side, "side");
            java.util.Objects.requireNonNull(trigger, "trigger");
        }

        @Override
        public String print() {
            return "kill " + side.word() + " " + trigger.print();
        }
    }

    private static void checkMillis(long millis) {
        if (millis < 0 || millis > MAX_MILLIS) {
            throw new IllegalArgumentException("duration " + millis + " ms is not in [0ms, 3600s]");
        }
    }
}
