/**
 * Step mode: named points where the source's session thread may be held (before each pre-copy round, before
 * each post-copy prepaging batch, before the push takes a network fault as its pivot), and the commands that
 * hold and release it (run, pause, advance to the next step of a kind).
 * Holding the session thread changes when pages go, never which: the guest runs on, the dirty log keeps
 * counting, faults are served on their own loop, so a migration ends as it would have without steps.
 */
package org.migrationlab.migration.step;
