package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentPages;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The engine's side of post-copy in one thread, as the strategies' contract describes it: the demand path
 * marks a faulted page and reports a network fault; the push loop asks the strategy, checks that the offer
 * is unsent, marks and "sends" it, and sweeps in page order when the strategy has nothing. Pages are
 * delivered at once, so "sent" here also means "present at the destination".
 */
final class SimulatedEngine {
    private static final LongPredicate NO_RACE = page -> false;

    final SentPages sent;
    final PrepageStrategy strategy;
    final int[] sends;
    final List<Long> offers = new ArrayList<>();
    long networkFaults;
    long minorFaults;
    private long sweepCursor;

    SimulatedEngine(int pageCount, PrepageStrategy strategy) {
        this.sent = new SentPages(pageCount);
        this.strategy = strategy;
        this.sends = new int[pageCount];
    }

    /** The guest touches a page: a network fault if it is not there yet (demand sends it), else minor. */
    boolean access(long page) {
        if (sent.markSent(page)) {
            sends[(int) page]++;
            networkFaults++;
            strategy.onFault(page);
            return true;
        }
        minorFaults++;
        return false;
    }

    /** Another path sends the page without a new pivot (e.g. a request for a page already in flight). */
    void sendWithoutFault(long page) {
        assertThat(sent.markSent(page)).as("page %d unsent before", page).isTrue();
        sends[(int) page]++;
    }

    /** One push without races: the page sent, or NO_PAGE when the strategy has nothing and sweep is false. */
    long push(boolean sweepWhenIdle) {
        return push(sweepWhenIdle, NO_RACE);
    }

    /**
     * One push. {@code demandWinsRace} says, for an offered page, whether a fault for it arrives between
     * the offer and the push's mark: the demand path then sends it and the push asks again.
     */
    long push(boolean sweepWhenIdle, LongPredicate demandWinsRace) {
        while (true) {
            long page = strategy.next(sent);
            if (page == PrepageStrategy.NO_PAGE) {
                return sweepWhenIdle ? sweepOne() : PrepageStrategy.NO_PAGE;
            }
            assertThat(page).as("offer from %s", strategy).isBetween(0L, sent.pageCount() - 1);
            assertThat(sent.isSent(page)).as("%s offered page %d, already sent", strategy, page).isFalse();
            offers.add(page);
            if (demandWinsRace.test(page)) {
                access(page);
            }
            if (sent.markSent(page)) {
                sends[(int) page]++;
                return page;
            }
        }
    }

    /** Pushes without sweeping until the strategy has nothing; returns how many pages it pushed. */
    int drainStrategy() {
        int pushed = 0;
        while (push(false) != PrepageStrategy.NO_PAGE) {
            pushed++;
        }
        return pushed;
    }

    private long sweepOne() {
        long page = sent.nextUnsent(sweepCursor);
        if (page < 0) {
            return PrepageStrategy.NO_PAGE;
        }
        sweepCursor = page + 1;
        if (sent.markSent(page)) {
            sends[(int) page]++;
        }
        return page;
    }

    void assertEveryPageSentExactlyOnce() {
        assertThat(sent.allSent()).isTrue();
        for (int page = 0; page < sends.length; page++) {
            assertThat(sends[page]).as("sends of page %d by %s", page, strategy).isEqualTo(1);
        }
    }
}
