package org.migrationlab.migration.postcopy.prepage;

/**
 * Which way a bubble grows from its pivot (OSR'09 §3.2(C)). Backward-only is left out: the paper found it
 * worse than no bubbling at all.
 */
public enum Direction {
    /** Towards higher pages only; pages below the pivot are left to other pivots or the engine's sweep. */
    FORWARD,
    /** Both ways, the higher side first at each distance. The paper's recommended setting. */
    DUAL
}
