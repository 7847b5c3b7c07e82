/**
 * Policies loaded from classes (the command line's {@code --stop-policy-class}, {@code --prepage-class} and
 * {@code --balloon-policy-class}), and the guard that keeps them from breaking a migration.
 *
 * <p>Owns: {@code PolicyLoader} (a class name, or a jar or class folder and a class name, to a {@code
 * LoadedPolicy}), {@code LoadedPolicies} (what one command loaded, and the call time limit), and one guarded
 * wrapper per policy kind ({@code GuardedStopPolicy}, {@code GuardedPrepage}, {@code GuardedBalloonPolicy}),
 * each with the built-in policy it replaces as its fallback. A wrapper drops its loaded policy for good on
 * its first exception, answer out of range, or call over the time limit, says so once to the notices and
 * names the fallback and its reason in the report.
 *
 * <p>Threads: each call into a loaded policy runs on a small shared pool of daemon threads ({@code
 * PolicyCalls}) and its caller waits for it with a time limit; a call that never returns is interrupted
 * and abandoned. Calls to one wrapper come from one thread at a time, as for the built-in policies.
 *
 * <p>Correctness never depends on a policy: a stop policy decides only when to switch over (the round cap
 * holds whatever it says), a prepaging strategy only the order of pushes (it sees the sent pages read-only
 * and the engine sweeps what it leaves), and a balloon policy only a size the guest moves toward.
 */
package org.migrationlab.migration.policy;
