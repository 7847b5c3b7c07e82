package org.migrationlab.migration.policy;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;
import org.migrationlab.migration.precopy.stop.StopPolicy;

/**
 * The policies loaded from classes for one command (none by default), and how their calls are guarded:
 * each one is wrapped with the built-in policy it replaces as its fallback.
 *
 * @param stop          replaces the named stop policy
 * @param prepage       replaces the named prepaging strategy
 * @param balloon       replaces the balloon policy
 * @param callTimeoutMillis a call into a loaded policy that takes longer falls back
 * @param notices       hears one line each time a loaded policy is dropped
 */
public record LoadedPolicies(Optional<LoadedPolicy<StopPolicy>> stop, Optional<LoadedPolicy<PrepageStrategy>> prepage,
                             Optional<LoadedPolicy<BalloonPolicy>> balloon, long callTimeoutMillis,
                             Consumer<String> notices) {
    /** Generous for a policy (they decide in microseconds), short enough that a stuck one costs little. */
    public static final long DEFAULT_CALL_TIMEOUT_MILLIS = 500;
    public static final LoadedPolicies NONE = new LoadedPolicies(Optional.empty(), Optional.empty(), Optional.empty(),
            DEFAULT_CALL_TIMEOUT_MILLIS, line -> { });

    public LoadedPolicies {
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(prepage, "prepage");
        Objects.requireNonNull(balloon, "balloon");
        Objects.requireNonNull(notices, "notices");
        if (callTimeoutMillis <= 0) {
            throw new IllegalArgumentException("the call timeout must be positive: " + callTimeoutMillis);
        }
    }

    public LoadedPolicies withStop(LoadedPolicy<StopPolicy> policy) {
        return new LoadedPolicies(Optional.of(policy), prepage, balloon, callTimeoutMillis, notices);
    }

    public LoadedPolicies withPrepage(LoadedPolicy<PrepageStrategy> policy) {
        return new LoadedPolicies(stop, Optional.of(policy), balloon, callTimeoutMillis, notices);
    }

    public LoadedPolicies withBalloon(LoadedPolicy<BalloonPolicy> policy) {
        return new LoadedPolicies(stop, prepage, Optional.of(policy), callTimeoutMillis, notices);
    }

    public LoadedPolicies withCallTimeoutMillis(long millis) {
        return new LoadedPolicies(stop, prepage, balloon, millis, notices);
    }

    public LoadedPolicies withNotices(Consumer<String> lines) {
        return new LoadedPolicies(stop, prepage, balloon, callTimeoutMillis, lines);
    }

    /** The loaded stop policy guarded by {@code builtIn} (named {@code builtInName}), or {@code builtIn} alone. */
    public StopPolicy stopPolicy(StopPolicy builtIn, String builtInName, int maxRounds) {
        return stop.<StopPolicy>map(loaded -> {
            Guard guard = guard(loaded, builtInName);
            return new GuardedStopPolicy(instance(loaded, guard), builtIn, maxRounds, guard);
        }).orElse(builtIn);
    }

    /** The loaded prepaging strategy guarded by {@code builtIn}, or {@code builtIn} alone. */
    public PrepageStrategy prepageStrategy(PrepageStrategy builtIn, String builtInName) {
        return prepage.<PrepageStrategy>map(loaded -> {
            Guard guard = guard(loaded, builtInName);
            return new GuardedPrepage(instance(loaded, guard), builtIn, guard);
        }).orElse(builtIn);
    }

    /** The loaded balloon policy guarded by {@code builtIn}, or {@code builtIn} alone; one per machine. */
    public BalloonPolicy balloonPolicy(BalloonPolicy builtIn) {
        return balloon.<BalloonPolicy>map(loaded -> {
            Guard guard = guard(loaded, builtIn.name());
            return new GuardedBalloonPolicy(instance(loaded, guard), builtIn, guard);
        }).orElse(builtIn);
    }

    private Guard guard(LoadedPolicy<?> loaded, String builtInName) {
        return new Guard(loaded.label(), builtInName, TimeUnit.MILLISECONDS.toNanos(callTimeoutMillis), notices);
    }

    /** A constructor is the policy's code too: guarded like its calls. */
    private static <T> T instance(LoadedPolicy<T> loaded, Guard guard) {
        try {
            return guard.call("constructor", loaded::newInstance);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            guard.fail("was not created: interrupted");
            return null;
        }
    }
}
