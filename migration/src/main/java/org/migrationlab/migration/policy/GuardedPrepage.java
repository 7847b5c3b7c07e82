package org.migrationlab.migration.policy;

import java.util.Objects;

import org.migrationlab.migration.pages.SentView;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;

/**
 * A loaded prepaging strategy behind a guard. It sees the sent pages only through a read-only view, so it
 * cannot mark one; it is dropped for the built-in strategy when it throws, overruns its time limit, answers
 * a page outside the guest, or keeps answering pages already sent (the push loop would ask it forever). The
 * built-in one hears every fault all along, so it takes over with its pivots where they would be.
 */
public final class GuardedPrepage implements PrepageStrategy {
    /** Answers of pages already sent, in a row, before the strategy counts as stuck: a few are races. */
    static final int MAX_SENT_ANSWERS_IN_A_ROW = 1_000;

    private final PrepageStrategy loaded;
    private final PrepageStrategy builtIn;
    private final Guard guard;
    private final boolean sweeps;
    private SentView view;
    private SentView viewOf;
    private int sentAnswersInARow;

    GuardedPrepage(PrepageStrategy loaded, PrepageStrategy builtIn, Guard guard) {
        this.loaded = loaded;
        this.builtIn = Objects.requireNonNull(builtIn, "builtIn");
        this.guard = Objects.requireNonNull(guard, "guard");
        Boolean loadedSweeps = null;
        if (loaded != null) {
            try {
                loadedSweeps = guard.call("sweepsWhenIdle()", loaded::sweepsWhenIdle);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Asked once: the engine reads it at every idle moment, and it must not change under the engine.
        this.sweeps = loadedSweeps != null ? loadedSweeps : builtIn.sweepsWhenIdle();
    }

    @Override
    public void onFault(long page) {
        builtIn.onFault(page);
        try {
            guard.call("onFault(" + page + ")", () -> {
                loaded.onFault(page);
                return Boolean.TRUE;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public long next(SentView sent) {
        if (guard.fellBack()) {
            return builtIn.next(sent);
        }
        SentView readOnly = readOnly(sent);
        Long answer;
        try {
            answer = guard.call("next()", () -> loaded.next(readOnly));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return builtIn.next(sent);
        }
        if (answer == null) {
            return builtIn.next(sent);
        }
        long page = answer;
        if (page == NO_PAGE) {
            return NO_PAGE;
        }
        if (page < 0 || page >= sent.pageCount()) {
            guard.fail("next() answered page " + page + ", outside the guest's pages 0.." + (sent.pageCount() - 1));
            return builtIn.next(sent);
        }
        if (!sent.isSent(page)) {
            sentAnswersInARow = 0;
        } else if (++sentAnswersInARow >= MAX_SENT_ANSWERS_IN_A_ROW) {
            guard.fail("next() answered pages already sent " + sentAnswersInARow + " times in a row (the last: page "
                    + page + ")");
            return builtIn.next(sent);
        }
        return page;
    }

    private SentView readOnly(SentView sent) {
        if (viewOf != sent) {
            view = SentView.readOnly(sent);
            viewOf = sent;
        }
        return view;
    }

    @Override
    public boolean sweepsWhenIdle() {
        return sweeps || guard.fellBack() && builtIn.sweepsWhenIdle();
    }

    /** The strategy's label, with the fallback and its reason once it fell back. */
    public String describe() {
        return guard.describe();
    }

    /** Whether the built-in strategy took over. */
    public boolean fellBack() {
        return guard.fellBack();
    }

    @Override
    public String toString() {
        return describe();
    }
}
