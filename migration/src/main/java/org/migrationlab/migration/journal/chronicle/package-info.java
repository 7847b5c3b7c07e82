/**
 * The journal's store on Chronicle Map: an off-heap hash map persisted in a memory-mapped file, which other
 * processes may open and read while its writer runs. Only this package touches Chronicle.
 */
package org.migrationlab.migration.journal.chronicle;
