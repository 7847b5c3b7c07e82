/**
 * Test fixtures for the migration module: in-process command-line runs with captured output, both ends
 * of a migration over loopback ({@link org.migrationlab.migration.testing.LoopbackMigration}), a real
 * destination for hand-played sources ({@link org.migrationlab.migration.testing.LoopbackDestination}),
 * and peers that speak the protocol by hand to misbehave on purpose
 * ({@link org.migrationlab.migration.testing.RawPeer}, {@link org.migrationlab.migration.testing.FakeDestination},
 * {@link org.migrationlab.migration.testing.SourceStreams}, {@link org.migrationlab.migration.testing.StreamMutator}).
 */
package org.migrationlab.migration.testing;
