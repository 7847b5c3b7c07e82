package org.migrationlab.vmm.web;

import org.migrationlab.migration.progress.ArrivalObserver;

/**
 * One incoming migration's observer for a destination's live view: once the guest's size is known it
 * builds the migration's side and shows it in place of the last one's; it passes each page on to it.
 */
final class IncomingView implements ArrivalObserver {
    private final LiveView view;
    private volatile ArrivalObserver side = ArrivalObserver.NONE; // until GUEST_CONFIG: no page comes before it

    IncomingView(LiveView view) {
        this.view = view;
    }

    @Override
    public void guest(long pageCount) {
        DestinationSide fresh = new DestinationSide(pageCount);
        side = fresh.observer();
        view.show(fresh);
    }

    @Override
    public void copied(long page) {
        side.copied(page);
    }

    @Override
    public void pending(long page) {
        side.pending(page);
    }

    @Override
    public void arrived(long page) {
        side.arrived(page);
    }

    @Override
    public void awaiting(long page) {
        side.awaiting(page);
    }

    @Override
    public void fetched(long page, long latencyNanos) {
        side.fetched(page, latencyNanos);
    }

    @Override
    public void touched(long page) {
        side.touched(page);
    }
}
