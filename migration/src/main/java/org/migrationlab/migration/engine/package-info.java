/**
 * The engine's front door for applications: one call for each end of a migration. {@link
 * org.migrationlab.migration.engine.OutgoingMigration} boots a guest, runs it to a trigger, migrates it
 * and reports; {@link org.migrationlab.migration.engine.IncomingMigration} takes a guest arriving at a
 * destination and runs it to its end. The command line, the benchmarks and the tests all migrate through
 * these two, so there is one copy of the sequence. Calls block the calling thread; observers are told
 * of each step on that thread (or, for console lines, on the vCPU thread).
 */
package org.migrationlab.migration.engine;
