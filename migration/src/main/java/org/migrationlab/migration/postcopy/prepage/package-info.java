/**
 * Post-copy page selection: the shared record of which pages have been handed to a channel ({@link
 * org.migrationlab.migration.pages.SentPages}) and the prepaging strategies that choose what the source
 * pushes next ({@link org.migrationlab.migration.postcopy.prepage.PrepageStrategy}: {@code DemandOnly}, {@code
 * LinearPush}, {@code SinglePivotBubbling}, {@code MultiPivotBubbling}, named in {@code PrepageStrategies}).
 * DESIGN §5.3; the algorithms follow the paper digest §2.
 *
 * <p>Threads: {@code SentPages} is shared by every sending path (the demand path on the urgent channel, the
 * push thread) and is thread-safe through one {@code AtomicLongArray} bitmap. A strategy is owned by the
 * push thread alone: faults reach it as messages that the push thread turns into {@code onFault} calls.
 * Strategies are pure (no I/O, no clock) and never mark pages: only a sending path marks a page, with
 * {@code SentPages.markSent}, when it really hands the page to a channel. That avoids the queue-purge trap of
 * DESIGN §5.3 (pages marked but never sent).
 *
 * <p>Depends on: {@code java.base} only.
 */
package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentPages;
