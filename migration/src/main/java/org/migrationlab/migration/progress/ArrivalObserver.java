package org.migrationlab.migration.progress;

/**
 * Told of each post-copy page's fate at the destination as it happens, for views that draw the destination's
 * memory page by page: the destination's counterpart of {@link PageObserver}. Called from the vCPU thread
 * (faults) and the channels' event loops (arrivals), so an implementation must be cheap: no blocking, no
 * allocation per page, no unbounded queue.
 */
public interface ArrivalObserver {
    /** Observes nothing: the default, so that a destination without a view pays one virtual call a page. */
    ArrivalObserver NONE = new ArrivalObserver() {
        @Override
        public void arrived(long page) {
        }

        @Override
        public void awaiting(long page) {
        }

        @Override
        public void fetched(long page, long latencyNanos) {
        }

        @Override
        public void touched(long page) {
        }
    };

    /** The destination built the guest from its GUEST_CONFIG: {@code pageCount} pages, none received yet. */
    default void guest(long pageCount) {
    }

    /**
     * A page arrived before the switch-over (a pre-copy round or the stop-and-copy). Such a page is present
     * when the guest starts here, so its touches are not trapped; one pending at the switch-over (dirtied
     * after it went, {@link #pending}) arrives again after it ({@link #arrived}).
     */
    default void copied(long page) {
    }

    /**
     * At the switch-over, before the guest runs here: the page is pending, to arrive after it (a page copied
     * before was dirtied since, and its copy here is stale). Called once per pending page.
     */
    default void pending(long page) {
    }

    /** The page's bytes are in guest memory; the guest has not touched it yet. */
    void arrived(long page);

    /** A network fault: the guest touched a page that has not arrived, and waits for it. */
    void awaiting(long page);

    /** The network fault on the page was served after {@code latencyNanos}; the guest uses the page now. */
    void fetched(long page, long latencyNanos);

    /** The guest touched a page that had arrived before (a minor fault); it uses the page now. */
    void touched(long page);
}
