/**
 * Pre-copy stop policies: after each round the session asks a {@link
 * org.migrationlab.migration.precopy.stop.StopPolicy} whether to copy another round (optionally throttling the
 * vCPU) or to switch over to stop-and-copy (docs/ARCHITECTURE.md, "Pre-copy"). The round loop that asks
 * them is {@code org.migrationlab.migration.precopy.PrecopyRounds}.
 *
 * <p>Owns: the {@code StopPolicy} contract, its implementations ({@code XenStopPolicy}, {@code
 * DowntimeTargetPolicy}, {@code AutoConvergePolicy}) and the {@code StopPolicies} name registry.
 *
 * <p>Threads: a policy instance belongs to one migration and is called only from that migration's session
 * thread. Policies are pure: no I/O, no clock, no threads; everything they know arrives in a {@link
 * org.migrationlab.migration.precopy.stop.StopPolicy.RoundReport}, time included. Some keep state across rounds
 * ({@code AutoConvergePolicy}), so never share an instance between migrations.
 *
 * <p>Depends on: {@code java.base} and the page size constant of {@code org.migrationlab.emulator.memory}.
 * The knobs beyond a policy's name live in {@code PrecopyLimits}.
 */
package org.migrationlab.migration.precopy.stop;
