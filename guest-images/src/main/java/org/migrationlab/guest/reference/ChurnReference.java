package org.migrationlab.guest.reference;

import java.util.Map;

/**
 * The {@code churn} workload's result in plain Java (WORKLOADS.md, "churn"). Like kcompile's, it depends
 * only on which blocks exist and in which order they are verified, not on where they were put.
 */
public final class ChurnReference {
    private static final long PAGE = 4096;
    private static final long LARGE_HEADER = 16;

    /** @param phases at least 1 (the guest's 0 means forever, which has no result) */
    public record Config(long size, long block, long phases) {
        public Config {
            long blockPages = block / PAGE;
            if (blockPages == 0 || blockPages > (1L << 20)) {
                throw new IllegalArgumentException("churn: block=" + block + " is not between 4K and 4G");
            }
            if (size < block || size / block > (1L << 24)) {
                throw new IllegalArgumentException("churn: size=" + size + " is not between block and 2^24 blocks");
            }
            if (phases < 1) {
                throw new IllegalArgumentException("churn: phases=" + phases + " has no result (0 runs forever)");
            }
        }

        public static Config defaults() {
            return new Config(16L << 20, 256L << 10, 8);
        }

        public static Config fromArgs(Map<String, String> args) {
            WorkloadArgs a = new WorkloadArgs("churn", args);
            Config d = defaults();
            Config c = new Config(a.size("size", d.size()), a.size("block", d.block()), a.integer("phases", d.phases()));
            a.rejectUnused();
            return c;
        }

        long slots() {
            return 2 * (size / block);
        }
    }

    private ChurnReference() {
    }

    public static long result(long seed, Map<String, String> args) {
        return result(seed, Config.fromArgs(args));
    }

    public static long result(long seed, Config config) {
        int slots = Math.toIntExact(config.slots());
        long blockPages = config.block() / PAGE;
        long[] ids = new long[slots];
        long[] words = new long[slots];       // 0 = empty slot
        Splitmix64 random = new Splitmix64(seed);
        long h = Fnv64.OFFSET;
        long nextId = 0;
        for (long phase = 0; phase < config.phases(); phase++) {
            long r = random.next();
            long level = (phase % 2 == 0 ? 750 : 0) + Long.remainderUnsigned(r, 251);
            for (int i = 0; i < slots; i++) {
                long c = random.next();
                if (Long.remainderUnsigned(c, 1000) < level) {
                    if (words[i] == 0) {
                        long pages = 1 + Long.remainderUnsigned(c >>> 32, blockPages);
                        ids[i] = nextId++;
                        words[i] = (pages * PAGE - LARGE_HEADER) / 8;
                    }
                } else if (words[i] != 0) {
                    h = check(h, ids[i], words[i]);
                    words[i] = 0;
                }
            }
        }
        for (int i = 0; i < slots; i++) {
            if (words[i] != 0) {
                h = check(h, ids[i], words[i]);
            }
        }
        return h;
    }

    private static long check(long h, long id, long words) {
        for (long j = 0; j < words; j++) {
            h = Fnv64.fold(h, id * Splitmix64.GAMMA ^ j * Fnv64.PRIME);
        }
        return h;
    }
}
