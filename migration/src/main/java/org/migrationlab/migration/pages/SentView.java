package org.migrationlab.migration.pages;

/**
 * A read-only look at which pages have gone out: what a prepaging strategy may ask, and nothing it could
 * use to mark a page. {@link SentPages} is one; a guarded student strategy gets a view that is only this,
 * so that it cannot reach the engine's marks through a cast.
 */
public interface SentView {
    /** The guest's RAM in pages: valid pages are {@code 0 .. pageCount() - 1}. */
    long pageCount();

    /** Whether the page has been handed to a channel already. */
    boolean isSent(long page);

    /** Pages sent so far (it may briefly trail {@link #isSent}). */
    long sentCount();

    /** The first unsent page at or after {@code from}, or -1. A negative {@code from} starts at page 0. */
    long nextUnsent(long from);

    /** The last unsent page at or before {@code from}, or -1. A {@code from} past the end starts at the last page. */
    long previousUnsent(long from);

    /** A view that forwards to {@code view} and is nothing else. */
    static SentView readOnly(SentView view) {
        return new SentView() {
            @Override
            public long pageCount() {
                return view.pageCount();
            }

            @Override
            public boolean isSent(long page) {
                return view.isSent(page);
            }

            @Override
            public long sentCount() {
                return view.sentCount();
            }

            @Override
            public long nextUnsent(long from) {
                return view.nextUnsent(from);
            }

            @Override
            public long previousUnsent(long from) {
                return view.previousUnsent(from);
            }

            @Override
            public String toString() {
                return view.toString();
            }
        };
    }
}
