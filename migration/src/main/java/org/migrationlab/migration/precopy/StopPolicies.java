package org.migrationlab.migration.precopy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.Supplier;

/** The one place that maps stop-policy names (as config and the command line spell them) to policies. */
public final class StopPolicies {
    private static final SequencedMap<String, Supplier<StopPolicy>> FACTORIES = factories();

    private StopPolicies() {
    }

    private static SequencedMap<String, Supplier<StopPolicy>> factories() {
        var map = new LinkedHashMap<String, Supplier<StopPolicy>>();
        map.put("xen", XenStopPolicy::defaults);
        map.put("downtime", DowntimeTargetPolicy::defaults);
        map.put("auto-converge", AutoConvergePolicy::defaults);
        return map;
    }

    /** The known names, in a stable order. */
    public static List<String> names() {
        return List.copyOf(FACTORIES.sequencedKeySet());
    }

    /** A new policy with default knobs; a fresh instance each call, since some policies keep state. */
    public static StopPolicy create(String name) {
        Supplier<StopPolicy> factory = name == null ? null : FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown stop policy '" + name + "'; known: "
                    + String.join(", ", names()));
        }
        return factory.get();
    }
}
