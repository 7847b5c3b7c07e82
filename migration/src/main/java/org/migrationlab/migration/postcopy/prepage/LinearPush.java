package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentView;

/**
 * Active push without prepaging (Table 1 row 3, name "push"): unsent pages in ascending order from page 0,
 * skipping what demand already fetched. Faults do not move it.
 */
public final class LinearPush implements PrepageStrategy {
    private long cursor;

    @Override
    public void onFault(long page) {
        if (page < 0) {
            throw new IllegalArgumentException("negative fault page " + page);
        }
    }

    @Override
    public long next(SentView sent) {
        long page = sent.nextUnsent(cursor);
        if (page < 0) {
            cursor = sent.pageCount();
            return NO_PAGE;
        }
        cursor = page + 1;
        return page;
    }

    @Override
    public boolean sweepsWhenIdle() {
        return true;
    }

    @Override
    public String toString() {
        return "push";
    }
}
