/**
 * The migration oracle: a migration is correct when the migrated guest ends exactly as a run of the same
 * guest that never moved — same result, status, console and memory hash. Guests see time only through
 * their virtual clock and draw every random choice from their seed, so that comparison is exact.
 * {@link org.migrationlab.migration.oracle.Oracle} runs the unmigrated reference and compares typed
 * reports; it never matches text. Used by {@code vmm demo}, the tests and the benchmarks.
 */
package org.migrationlab.migration.oracle;
