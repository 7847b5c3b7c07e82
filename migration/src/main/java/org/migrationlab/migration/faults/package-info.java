/**
 * Fault plans (docs/FAULTS.md): a small grammar of network and process faults, each fired by a migration
 * event (a phase, a pre-copy round, a share of the pages sent) rather than a wall-clock instant, so that a
 * plan hits the same point of a migration every time. {@link org.migrationlab.migration.faults.FaultPlan}
 * parses a plan once and prints it back in canonical form; {@link org.migrationlab.migration.faults.FaultSchedule}
 * tells which faults are due as a migration's records go out. Pure: no network, no sessions.
 */
package org.migrationlab.migration.faults;
