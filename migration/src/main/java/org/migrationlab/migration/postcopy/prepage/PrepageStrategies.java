package org.migrationlab.migration.postcopy.prepage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.function.Function;

/**
 * The one place that maps prepaging strategy names (as config and the command line spell them) to
 * strategies. The direction applies to the bubbling strategies; "none" and "push" ignore it.
 */
public final class PrepageStrategies {
    public static final Direction DEFAULT_DIRECTION = Direction.DUAL;

    private static final SequencedMap<String, Function<Direction, PrepageStrategy>> FACTORIES = factories();

    private PrepageStrategies() {
    }

    private static SequencedMap<String, Function<Direction, PrepageStrategy>> factories() {
        var map = new LinkedHashMap<String, Function<Direction, PrepageStrategy>>();
        map.put("none", direction -> new DemandOnly());
        map.put("push", direction -> new LinearPush());
        map.put("bubble", SinglePivotBubbling::new);
        map.put("multi-pivot", direction -> new MultiPivotBubbling(direction, MultiPivotBubbling.DEFAULT_PIVOT_SLOTS));
        return map;
    }

    /** The known names, in a stable order. */
    public static List<String> names() {
        return List.copyOf(FACTORIES.sequencedKeySet());
    }

    /** A new strategy growing in the default direction (dual). */
    public static PrepageStrategy create(String name) {
        return create(name, DEFAULT_DIRECTION);
    }

    /** A new strategy; a fresh instance each call, since strategies keep per-migration state. */
    public static PrepageStrategy create(String name, Direction direction) {
        Objects.requireNonNull(direction, "direction");
        Function<Direction, PrepageStrategy> factory = name == null ? null : FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown prepage strategy '" + name + "'; known: "
                    + String.join(", ", names()));
        }
        return factory.apply(direction);
    }
}
