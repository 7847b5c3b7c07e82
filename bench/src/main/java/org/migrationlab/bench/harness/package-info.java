/**
 * Benchmark harnesses that drive whole machines and print figures (optionally as JSON). Not tests:
 * nothing here asserts a speed.
 */
package org.migrationlab.bench.harness;
