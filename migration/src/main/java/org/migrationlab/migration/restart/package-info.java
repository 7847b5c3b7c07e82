/**
 * What a source needs to finish a post-copy migration after its process died (docs/FAULTS.md): the
 * {@link org.migrationlab.migration.restart.SourceCheckpoint} written durably before SWITCH_OVER goes out,
 * and the files of a source state directory. No network, no sessions.
 */
package org.migrationlab.migration.restart;
