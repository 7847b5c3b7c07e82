package org.migrationlab.migration.precopy.stop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/** The one place that maps stop-policy names (as config and the command line spell them) to policies. */
public final class StopPolicies {
    /** A policy built from the downtime target (ns) and the limits. */
    @FunctionalInterface
    private interface Factory {
        StopPolicy create(long downtimeTargetNanos, PrecopyLimits limits);
    }

    /** Factories by name. */
    private static final SequencedMap<String, Factory> FACTORIES = factories();

    private StopPolicies() {
    }

    private static SequencedMap<String, Factory> factories() {
        var map = new LinkedHashMap<String, Factory>();
        map.put("xen", (target, limits) -> new XenStopPolicy(limits.maxRounds(), XenStopPolicy.DEFAULT_MAX_SENT_FACTOR,
                XenStopPolicy.DEFAULT_MIN_DIRTY_PAGES));
        map.put("downtime", (target, limits) -> new DowntimeTargetPolicy(target, limits.maxRounds()));
        map.put("auto-converge", (target, limits) -> new AutoConvergePolicy(
                new DowntimeTargetPolicy(target, limits.maxRounds()), AutoConvergePolicy.DEFAULT_TRIGGER_PERCENT,
                limits.throttleInitialPercent(), limits.throttleIncrementPercent(), AutoConvergePolicy.DEFAULT_MAX_PERCENT));
        return map;
    }

    /** The known names, in a stable order. */
    public static List<String> names() {
        return List.copyOf(FACTORIES.sequencedKeySet());
    }

    /** A new policy with default knobs; a fresh instance each call, since some policies keep state. */
    public static StopPolicy create(String name) {
        return create(name, DowntimeTargetPolicy.DEFAULT_DOWNTIME_TARGET_NANOS);
    }

    /** As {@link #create(String)}, with the given downtime target for the policies that have one. */
    public static StopPolicy create(String name, long downtimeTargetNanos) {
        return create(name, downtimeTargetNanos, PrecopyLimits.DEFAULTS);
    }

    /** As {@link #create(String, long)}, with the given round cap and auto-converge throttle steps. */
    public static StopPolicy create(String name, long downtimeTargetNanos, PrecopyLimits limits) {
        Factory factory = name == null ? null : FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown stop policy '" + name + "'; known: "
                    + String.join(", ", names()));
        }
        return factory.create(downtimeTargetNanos, limits);
    }
}
