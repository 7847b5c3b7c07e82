package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentView;

/**
 * Chooses what the source pushes next in post-copy: the interface a prepaging policy implements, the
 * built-in ones ({@link LinearPush} "push", {@link SinglePivotBubbling} "bubble", {@link MultiPivotBubbling}
 * "multi-pivot", {@link DemandOnly} "none") and yours, loaded with {@code --prepage-class}.
 *
 * <p>The engine's push loop: {@code page = next(sent)}; if it is {@link #NO_PAGE}, sweep ({@code
 * sent.nextUnsent}) when {@link #sweepsWhenIdle()}, else wait; otherwise send the page unless the demand path
 * got there first, and ask {@code next} again. A page it returned is not offered again, so a page the
 * engine drops is left to the sweep. Every network fault (a page the guest needed and did not have) is
 * reported through {@link #onFault} before the next call to {@code next}. Single-threaded (one migration's
 * push thread owns an instance); pure: no I/O, no clock. One instance per migration, created by its public
 * no-argument constructor when loaded by class name.
 *
 * <p>Correctness never depends on the strategy: every page is sent exactly once whatever it answers, and the
 * engine sweeps what it leaves. A loaded strategy is guarded: if it throws, answers a page outside {@code
 * 0 .. sent.pageCount() - 1}, keeps answering pages already sent, or takes longer than its time limit, the
 * engine falls back to the built-in strategy named by {@code --prepage} and says so in the report.
 *
 * <p>A worked example, prepaging forward from the last fault (a one-sided "bubble"):
 * <pre>{@code
 * public final class ForwardFromFault implements PrepageStrategy {
 *     private long cursor;                          // where the next push looks first
 *
 *     public void onFault(long page) {
 *         cursor = page + 1;                        // the guest is working near here: go on from it
 *     }
 *
 *     public long next(SentView sent) {
 *         long page = sent.nextUnsent(cursor);      // skip what demand or an earlier push sent
 *         if (page < 0) {
 *             page = sent.nextUnsent(0);            // nothing above: wrap around
 *         }
 *         cursor = page + 1;
 *         return page;                              // -1 (NO_PAGE) when every page is sent
 *     }
 *
 *     public boolean sweepsWhenIdle() {
 *         return true;
 *     }
 * }
 * }</pre>
 */
public interface PrepageStrategy {
    long NO_PAGE = -1;

    /**
     * A network fault: the guest needed this page and the destination did not have it. A new pivot for
     * bubbling strategies.
     *
     * <p>Only network faults are reported: requests for which the demand path's own mark succeeded. A
     * request for a page already sent or in flight is ignored by the papers (VEE'09 §4.2) and does not move
     * the pivot.
     */
    void onFault(long page);

    /**
     * The next page to push that is not yet sent, or NO_PAGE when the strategy has nothing to offer now (the
     * engine then sweeps unsent pages in order, or waits). Must never return a sent page.
     */
    long next(SentView sent);

    /**
     * Whether the engine should sweep the remaining unsent pages when next() has nothing (false only for
     * demand-only).
     */
    boolean sweepsWhenIdle();
}
