/**
 * What the command line shows people: the run summary and the migration report as two-column tables,
 * numbers in the units people read, and the progress lines printed about once a second. The tables
 * are rendered on the command's own thread from immutable reports; each progress printer runs on its
 * own daemon thread ({@code progress}, {@code migration-progress}) and only reads the engine's live
 * progress, never a machine. JSON for programs is the report package's job, not this one's.
 */
package org.migrationlab.vmm.render;
