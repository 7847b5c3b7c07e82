/** Test fixtures for the migration module: in-process command-line runs with captured output. */
package org.migrationlab.migration.testing;
