package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentView;

/**
 * Demand paging alone (Table 1 row 2, name "none"): nothing is pushed. The engine sweeps the remaining pages
 * only after the guest has stopped faulting for a while; that rule belongs to the engine.
 */
public final class DemandOnly implements PrepageStrategy {

    @Override
    public void onFault(long page) {
        if (page < 0) {
            throw new IllegalArgumentException("negative fault page " + page);
        }
    }

    @Override
    public long next(SentView sent) {
        return NO_PAGE;
    }

    @Override
    public boolean sweepsWhenIdle() {
        return false;
    }

    @Override
    public String toString() {
        return "none";
    }
}
