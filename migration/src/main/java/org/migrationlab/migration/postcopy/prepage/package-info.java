/**
 * Post-copy page selection: the shared record of which pages have been handed to a channel ({@link
 * org.migrationlab.migration.pages.SentPages}) and the prepaging strategies that choose what the source
 * pushes next ({@link org.migrationlab.migration.postcopy.prepage.PrepageStrategy}: {@code DemandOnly}, {@code
 * LinearPush}, {@code SinglePivotBubbling}, {@code MultiPivotBubbling}, named in {@code PrepageStrategies}).
 * The algorithms follow VEE'09 §4 and OSR'09 §3.2 (docs/ARCHITECTURE.md, "Post-copy" and "References").
 *
 * <p>Threads: {@code SentPages} is shared by every sending path (the demand path on the urgent channel, the
 * push thread) and is thread-safe through one concurrent bitmap. A strategy is owned by the
 * push thread alone: faults reach it as messages that the push thread turns into {@code onFault} calls.
 * Strategies are pure (no I/O, no clock) and never mark pages: only a sending path marks a page, with
 * {@code SentPages.markSent}, when it really hands the page to a channel. That avoids the paper's queue-purge
 * trap: a page marked sent but dropped from a purged queue is never sent, and a later fault on it waits forever.
 *
 * <p>Depends on: {@code java.base} and {@code SentPages}.
 */
package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentPages;
