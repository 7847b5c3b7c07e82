package org.migrationlab.migration.precopy.stop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.LongFunction;

/** The one place that maps stop-policy names (as config and the command line spell them) to policies. */
public final class StopPolicies {
    /** Factories by name, taking the downtime target in nanoseconds (used by the policies that have one). */
    private static final SequencedMap<String, LongFunction<StopPolicy>> FACTORIES = factories();

    private StopPolicies() {
    }

    private static SequencedMap<String, LongFunction<StopPolicy>> factories() {
        var map = new LinkedHashMap<String, LongFunction<StopPolicy>>();
        map.put("xen", target -> XenStopPolicy.defaults());
        map.put("downtime", target -> new DowntimeTargetPolicy(target, DowntimeTargetPolicy.DEFAULT_MAX_ROUNDS));
        map.put("auto-converge", target -> new AutoConvergePolicy(
                new DowntimeTargetPolicy(target, DowntimeTargetPolicy.DEFAULT_MAX_ROUNDS),
                AutoConvergePolicy.DEFAULT_TRIGGER_PERCENT, AutoConvergePolicy.DEFAULT_INITIAL_PERCENT,
                AutoConvergePolicy.DEFAULT_INCREMENT_PERCENT, AutoConvergePolicy.DEFAULT_MAX_PERCENT));
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
        LongFunction<StopPolicy> factory = name == null ? null : FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown stop policy '" + name + "'; known: "
                    + String.join(", ", names()));
        }
        return factory.apply(downtimeTargetNanos);
    }
}
