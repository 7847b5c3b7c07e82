package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentPages;

/**
 * Chooses what the source pushes next in post-copy. Single-threaded (the push thread owns it); pure: no I/O,
 * no clock.
 *
 * <p>The engine's push loop: {@code page = next(sent)}; if it is {@link #NO_PAGE}, sweep ({@code
 * sent.nextUnsent}) when {@link #sweepsWhenIdle()}, else wait; otherwise send the page if {@code
 * sent.markSent(page)} returns true, and if it returns false (the demand path got there first) simply ask
 * {@code next} again. A strategy never marks pages itself, and a page it returned is not offered again, so a
 * page the engine drops is left to the sweep.
 */
public interface PrepageStrategy {
    long NO_PAGE = -1;

    /**
     * A demand fault (page request) arrived for this page: a new pivot for bubbling strategies.
     *
     * <p>Report only network faults: requests for which the demand path's own {@code markSent(page)} returned
     * true. A request for a page already sent or in flight is ignored by the papers (VEE'09 §4.2) and does not
     * move the pivot.
     */
    void onFault(long page);

    /**
     * The next page to push that is not yet sent, or NO_PAGE when the strategy has nothing to offer now (the
     * engine then sweeps unsent pages in order, or waits). Must never return a sent page.
     */
    long next(SentPages sent);

    /**
     * Whether the engine should sweep the remaining unsent pages when next() has nothing (false only for
     * demand-only).
     */
    boolean sweepsWhenIdle();
}
