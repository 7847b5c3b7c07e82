/**
 * Statistics of guest runs and, later, of migrations: immutable reports, their text and JSON
 * renderings, and live progress sampling. JSON is written by hand in {@link
 * org.migrationlab.migration.stats.JsonWriter}; every report renders to JSON in exactly one place.
 */
package org.migrationlab.migration.stats;
