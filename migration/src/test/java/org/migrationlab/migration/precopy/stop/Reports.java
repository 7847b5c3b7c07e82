package org.migrationlab.migration.precopy.stop;

import org.migrationlab.migration.precopy.stop.StopPolicy.RoundReport;

/** Synthetic round reports for policy tables. */
final class Reports {
    static final long GUEST_PAGES = 10_000;
    /** 1000 pages a second: a page costs 1 ms of downtime. */
    static final double THOUSAND_PAGES_PER_SECOND = 4096.0 * 1000;

    private Reports() {
    }

    static RoundReport round(int round, long dirtyPages, long totalPagesSent) {
        return new RoundReport(round, dirtyPages, Math.min(totalPagesSent, GUEST_PAGES), totalPagesSent,
                GUEST_PAGES, 1_000_000_000L, THOUSAND_PAGES_PER_SECOND, dirtyPages);
    }

    static RoundReport withRate(int round, long dirtyPages, double bytesPerSecond) {
        return new RoundReport(round, dirtyPages, GUEST_PAGES, GUEST_PAGES, GUEST_PAGES, 1_000_000_000L,
                bytesPerSecond, dirtyPages);
    }

    static RoundReport sentAndDirtied(int round, long pagesSentInRound, long dirtyPages, double bytesPerSecond) {
        return new RoundReport(round, dirtyPages, pagesSentInRound, GUEST_PAGES + pagesSentInRound * round,
                GUEST_PAGES, 1_000_000_000L, bytesPerSecond, dirtyPages);
    }
}
