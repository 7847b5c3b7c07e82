package org.migrationlab.migration.session;

import java.util.Objects;

import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.migration.policy.LoadedPolicies;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.protocol.MigrationMode;

/**
 * How to migrate: the scheme and its policies. Immutable; the command line maps options onto it.
 *
 * @param stopPolicy      pre-copy stop policy name ("xen", "downtime", "auto-converge")
 * @param prepage         post-copy prepaging strategy name ("none", "push", "bubble", "multi-pivot")
 * @param forwardOnly     bubbling edges grow forward only (else in both directions)
 * @param downtimeTargetMillis the downtime target of the "downtime" and "auto-converge" policies
 * @param compress        deflate pages that shrink (else zero/raw only)
 * @param urgentChannel   serve post-copy page requests on their own connection (else on the bulk one)
 * @param limits          the round cap and auto-converge's throttle steps
 * @param recoverTimeoutMillis how long a post-copy migration whose connections broke keeps trying to
 *                        reconnect before it gives up (PROTOCOL §5.6)
 * @param loaded          policies loaded from classes, which replace the named ones behind a guard
 */
public record MigrationConfig(MigrationMode mode, String stopPolicy, String prepage, boolean forwardOnly,
                              long downtimeTargetMillis, DirtyLogMode dirtyLog, boolean compress,
                              boolean urgentChannel, PrecopyLimits limits, long recoverTimeoutMillis,
                              LoadedPolicies loaded) {
    /** QEMU leaves a paused post-copy migration paused for good; five minutes bounds ours. */
    public static final long DEFAULT_RECOVER_TIMEOUT_MILLIS = 5 * 60_000;

    public MigrationConfig(MigrationMode mode, String stopPolicy, String prepage, boolean forwardOnly,
                           long downtimeTargetMillis, DirtyLogMode dirtyLog, boolean compress, boolean urgentChannel,
                           PrecopyLimits limits, long recoverTimeoutMillis) {
        this(mode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress, urgentChannel, limits,
                recoverTimeoutMillis, LoadedPolicies.NONE);
    }

    public MigrationConfig(MigrationMode mode, String stopPolicy, String prepage, boolean forwardOnly,
                           long downtimeTargetMillis, DirtyLogMode dirtyLog, boolean compress, boolean urgentChannel,
                           PrecopyLimits limits) {
        this(mode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress, urgentChannel, limits,
                DEFAULT_RECOVER_TIMEOUT_MILLIS);
    }

    public MigrationConfig(MigrationMode mode, String stopPolicy, String prepage, boolean forwardOnly,
                           long downtimeTargetMillis, DirtyLogMode dirtyLog, boolean compress, boolean urgentChannel) {
        this(mode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress, urgentChannel,
                PrecopyLimits.DEFAULTS);
    }

    public MigrationConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(stopPolicy, "stopPolicy");
        Objects.requireNonNull(prepage, "prepage");
        Objects.requireNonNull(dirtyLog, "dirtyLog");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(loaded, "loaded");
        if (downtimeTargetMillis <= 0) {
            throw new IllegalArgumentException("downtime target must be positive");
        }
        if (recoverTimeoutMillis <= 0) {
            throw new IllegalArgumentException("recover timeout must be positive");
        }
    }

    public static MigrationConfig defaults(MigrationMode mode) {
        return new MigrationConfig(mode, "downtime", "bubble", false, 300, DirtyLogMode.DIRTY_BIT, false, true);
    }

    public MigrationConfig withPrepage(String name) {
        return new MigrationConfig(mode, stopPolicy, name, forwardOnly, downtimeTargetMillis, dirtyLog, compress,
                urgentChannel, limits, recoverTimeoutMillis, loaded);
    }

    /** Bubbling edges grow forward only ({@code true}) or in both directions. */
    public MigrationConfig withForwardOnly(boolean forward) {
        return new MigrationConfig(mode, stopPolicy, prepage, forward, downtimeTargetMillis, dirtyLog, compress,
                urgentChannel, limits, recoverTimeoutMillis, loaded);
    }

    public MigrationConfig withStopPolicy(String name) {
        return new MigrationConfig(mode, name, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress,
                urgentChannel, limits, recoverTimeoutMillis, loaded);
    }

    public MigrationConfig withUrgentChannel(boolean on) {
        return new MigrationConfig(mode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress,
                on, limits, recoverTimeoutMillis, loaded);
    }

    public MigrationConfig withLimits(PrecopyLimits newLimits) {
        return new MigrationConfig(mode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress,
                urgentChannel, newLimits, recoverTimeoutMillis, loaded);
    }

    public MigrationConfig withDowntimeTarget(long millis) {
        return new MigrationConfig(mode, stopPolicy, prepage, forwardOnly, millis, dirtyLog, compress,
                urgentChannel, limits, recoverTimeoutMillis, loaded);
    }

    public MigrationConfig withLoaded(LoadedPolicies policies) {
        return new MigrationConfig(mode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress,
                urgentChannel, limits, recoverTimeoutMillis, policies);
    }

    public MigrationConfig withMode(MigrationMode newMode) {
        return new MigrationConfig(newMode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress,
                urgentChannel, limits, recoverTimeoutMillis, loaded);
    }

    public MigrationConfig withRecoverTimeout(long millis) {
        return new MigrationConfig(mode, stopPolicy, prepage, forwardOnly, downtimeTargetMillis, dirtyLog, compress,
                urgentChannel, limits, millis, loaded);
    }
}
