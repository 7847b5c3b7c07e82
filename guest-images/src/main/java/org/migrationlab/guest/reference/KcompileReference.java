package org.migrationlab.guest.reference;

import java.util.Map;

/**
 * The {@code kcompile} workload's result in plain Java (WORKLOADS.md, "kcompile"). The result depends
 * only on which objects exist and in which order they are retired, never on where the allocator put
 * them, so the slots hold just (id, words).
 */
public final class KcompileReference {
    /** @param ops operations, at least 1 (the guest's 0 means forever, which has no result) */
    public record Config(long objects, long ops) {
        public Config {
            if (objects < 1 || objects > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("kcompile: objects=" + objects + " is out of range");
            }
            if (ops < 1) {
                throw new IllegalArgumentException("kcompile: ops=" + ops + " has no result (0 runs forever)");
            }
        }

        public static Config defaults() {
            return new Config(2048, 200_000);
        }

        public static Config fromArgs(Map<String, String> args) {
            WorkloadArgs a = new WorkloadArgs("kcompile", args);
            Config c = new Config(a.integer("objects", defaults().objects()), a.integer("ops", defaults().ops()));
            a.rejectUnused();
            return c;
        }
    }

    private KcompileReference() {
    }

    public static long result(long seed, Map<String, String> args) {
        return result(seed, Config.fromArgs(args));
    }

    public static long result(long seed, Config config) {
        int objects = (int) config.objects();
        long[] ids = new long[objects];
        int[] words = new int[objects];        // 0 = empty slot
        Splitmix64 random = new Splitmix64(seed);
        long h = Fnv64.OFFSET;
        for (long op = 0; op < config.ops(); op++) {
            long r = random.next();
            int slot = (int) Long.remainderUnsigned(r, objects);
            h = retire(h, ids[slot], words[slot]);
            words[slot] = 0;
            if (((r >>> 40) & 3) != 0) {
                ids[slot] = op;
                words[slot] = (int) (2 + Long.remainderUnsigned(r >>> 32, 255));
            }
        }
        for (int slot = 0; slot < objects; slot++) {
            h = retire(h, ids[slot], words[slot]);
        }
        return h;
    }

    private static long retire(long h, long id, int words) {
        for (long j = 0; j < words; j++) {
            h = Fnv64.fold(h, id * Splitmix64.GAMMA ^ j * Fnv64.PRIME);
        }
        return h;
    }
}
