/**
 * Live progress: mutable counters that one thread writes while a guest runs or migrates and other
 * threads read at any moment. {@link org.migrationlab.migration.progress.LiveProgress} is written by
 * the vCPU thread only (volatile fields); {@link org.migrationlab.migration.progress.MigrationProgress}
 * by a source session's thread and the urgent channel's event loop (adders, volatile phase and rates).
 * Any thread may read them, such as the command line's once-a-second progress printers.
 * {@link org.migrationlab.migration.progress.ProgressCounters} is a guest's counters at one moment.
 * Nothing here renders anything: finished work is frozen into the immutable reports of the report
 * package.
 */
package org.migrationlab.migration.progress;
