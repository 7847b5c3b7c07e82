/**
 * Live progress: mutable counters that one thread writes while a guest migrates and other threads read
 * at any moment. {@link org.migrationlab.migration.progress.MigrationProgress} is written by a source
 * session's thread and the urgent channel's event loop (adders, volatile phase and rates); any thread may
 * read it, such as the command line's once-a-second progress printers. A running guest's own progress is
 * the port's {@code GuestProgress}. {@link org.migrationlab.migration.progress.ProgressCounters} is a
 * guest's counters at one moment. Nothing here renders anything: finished work is frozen into the
 * immutable reports of the report package.
 */
package org.migrationlab.migration.progress;
