/**
 * Immutable reports of finished work: a guest run ({@link org.migrationlab.migration.report.RunReport}),
 * a migration as the source saw it ({@link org.migrationlab.migration.report.MigrationReport}) and an
 * incoming guest as the destination saw it ({@link org.migrationlab.migration.report.DestinationReport}),
 * with the parts they share (outcome, faults, balloon), and their JSON renderings. A report is built once,
 * on the thread that finished the work, and may then be read by any thread. Every report renders to JSON
 * in exactly one place.
 */
package org.migrationlab.migration.report;
