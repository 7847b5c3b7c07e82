/**
 * Immutable reports of finished work and their JSON: a guest run
 * ({@link org.migrationlab.migration.report.RunReport}), a migration as the source saw it
 * ({@link org.migrationlab.migration.report.MigrationReport}, nested records by topic) and an incoming
 * guest as the destination saw it ({@link org.migrationlab.migration.report.DestinationReport}), with
 * the parts they share (outcome, faults, balloon). Jackson annotations on the records name the JSON
 * keys; {@link org.migrationlab.migration.report.ReportJson} is the one place that writes and reads
 * them, with one configuration. A report is built once, on the thread that finished the work (a source
 * session's thread, a vCPU thread, a command's thread), and may then be read by any thread.
 */
package org.migrationlab.migration.report;
