package org.migrationlab.migration.progress;

import org.migrationlab.migration.protocol.SendReason;

/**
 * Told of each source page's fate as it happens, for views that draw the guest's memory page by page.
 * Called from the sending paths (the session thread, the urgent channel's event loop), so an implementation
 * must be cheap: no blocking, no allocation per page, no unbounded queue.
 */
public interface PageObserver {
    /** Observes nothing: the default, so that a migration without a view pays one virtual call a page. */
    PageObserver NONE = new PageObserver() {
        @Override
        public void sent(long page, SendReason reason, int round, boolean zero) {
        }

        @Override
        public void dirtied(long page) {
        }

        @Override
        public void ballooned(long page) {
        }

        @Override
        public void pivot(long page) {
        }
    };

    /** The page was handed to a channel, as a zero record when {@code zero}. */
    void sent(long page, SendReason reason, int round, boolean zero);

    /** The guest wrote the page after a pre-copy round sent it: it goes again. */
    void dirtied(long page);

    /** The page is ballooned, so it is not sent. */
    void ballooned(long page);

    /** A network fault on the page made it the post-copy push's pivot. */
    void pivot(long page);
}
