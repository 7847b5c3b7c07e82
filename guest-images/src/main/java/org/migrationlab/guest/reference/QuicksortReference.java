package org.migrationlab.guest.reference;

import java.util.Arrays;
import java.util.Map;

/**
 * The {@code quicksort} workload's result in plain Java (WORKLOADS.md, "quicksort"). A sorted region is
 * the same whatever algorithm sorts it, so this one uses {@link Arrays#sort} on sign-flipped values to
 * get the guest's unsigned order.
 */
public final class QuicksortReference {
    /** The highest task count the guest accepts. */
    public static final long MAX_PROCS = 128;

    /** @param rounds rounds per task, at least 1 (the guest's 0 means forever, which has no result) */
    public record Config(long procs, long sizeBytes, long rounds) {
        public Config {
            if (procs < 1 || procs > MAX_PROCS) {
                throw new IllegalArgumentException("quicksort: procs=" + procs + " is not in 1.." + MAX_PROCS);
            }
            if (sizeBytes < 0 || sizeBytes / procs / 8 < 1 || sizeBytes / procs / 8 > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("quicksort: size=" + sizeBytes + " gives no element, or too many, per task");
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("quicksort: rounds=" + rounds + " has no result (0 runs forever)");
            }
        }

        public static Config defaults() {
            return new Config(8, 8L << 20, 2);
        }

        /** Reads procs=, size=, rounds= and yield-every= (which cannot change the result). */
        public static Config fromArgs(Map<String, String> args) {
            WorkloadArgs a = new WorkloadArgs("quicksort", args);
            Config d = defaults();
            Config c = new Config(a.integer("procs", d.procs()), a.size("size", d.sizeBytes()), a.integer("rounds", d.rounds()));
            a.integer("yield-every", 4096);
            a.rejectUnused();
            return c;
        }

        public int elementsPerTask() {
            return (int) (sizeBytes / procs / 8);
        }
    }

    private QuicksortReference() {
    }

    public static long result(long seed, Map<String, String> args) {
        return result(seed, Config.fromArgs(args));
    }

    public static long result(long seed, Config config) {
        Splitmix64 seeds = new Splitmix64(seed);
        long[] region = new long[config.elementsPerTask()];
        long result = Fnv64.OFFSET;
        for (long t = 0; t < config.procs(); t++) {
            Splitmix64 random = new Splitmix64(seeds.next());
            long h = Fnv64.OFFSET;
            for (long round = 0; round < config.rounds(); round++) {
                for (int k = 0; k < region.length; k++) {
                    region[k] = random.next() ^ Long.MIN_VALUE;
                }
                Arrays.sort(region);
                for (long v : region) {
                    h = Fnv64.fold(h, v ^ Long.MIN_VALUE);
                }
            }
            result = Fnv64.fold(result, h);
        }
        return result;
    }
}
