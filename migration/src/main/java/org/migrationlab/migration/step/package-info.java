/**
 * Step mode: named points where the source's session thread may be held (before each pre-copy round, before
 * each post-copy prepaging batch, before the push takes a network fault as its pivot), and the commands that
 * hold and release it (run, pause, advance to the next step of a kind), and one step of the guest itself: while
 * the migration is paused the source's guest is parked, and a guest slice lets it run a fixed number of progress
 * units before it is parked again.
 * Holding the session thread or parking the guest changes when pages go and when the guest runs, never what the
 * guest computes: the dirty log keeps counting, faults are served on their own loop, so a migration ends as it
 * would have without steps.
 */
package org.migrationlab.migration.step;
