package org.migrationlab.guest.reference;

import java.util.Map;

/**
 * The {@code incrementer} workload in plain Java (WORKLOADS.md, "incrementer"): its result, and the
 * invariant its memory satisfies whenever the guest is stopped (QEMU's migration-test check).
 *
 * <p>The result depends only on the range and the sweep count, not on the seed.
 */
public final class IncrementerReference {
    /**
     * @param rangeBytes size of the range; its whole pages are used
     * @param sweeps     sweeps over the range, at least 1 (the guest's 0 means forever, which has no result)
     */
    public record Config(long rangeBytes, long sweeps) {
        public Config {
            if (rangeBytes < 4096 || rangeBytes / 4096 > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("incrementer: range of " + rangeBytes + " bytes is not between a page and 8 TiB");
            }
            if (sweeps < 1) {
                throw new IllegalArgumentException("incrementer: sweeps=" + sweeps + " has no result (0 runs forever)");
            }
        }

        public static Config defaults() {
            return new Config(8L << 20, 16);
        }

        /** Reads range= and sweeps= as the guest does; unknown keys are refused. */
        public static Config fromArgs(Map<String, String> args) {
            WorkloadArgs a = new WorkloadArgs("incrementer", args);
            Config c = new Config(a.size("range", defaults().rangeBytes()), a.integer("sweeps", defaults().sweeps()));
            a.rejectUnused();
            return c;
        }

        public int pages() {
            return (int) (rangeBytes / 4096);
        }
    }

    private IncrementerReference() {
    }

    /** The guest's exit result for these boot arguments (the seed plays no part). */
    public static long result(Map<String, String> args) {
        return result(Config.fromArgs(args));
    }

    public static long result(Config config) {
        byte[] firstBytes = finalFirstBytes(config);
        long h = Fnv64.OFFSET;
        for (byte b : firstBytes) {
            h = Fnv64.foldByte(h, b);
        }
        long increments = config.pages() * config.sweeps();
        for (int k = 0; k < 8; k++) {
            h = Fnv64.foldByte(h, (int) (increments >>> (8 * k)));
        }
        return h;
    }

    /** The first byte of every page of the range once all sweeps are done, by simulating them. */
    public static byte[] finalFirstBytes(Config config) {
        byte[] firstBytes = new byte[config.pages()];
        for (long sweep = 0; sweep < config.sweeps(); sweep++) {
            for (int p = 0; p < firstBytes.length; p++) {
                firstBytes[p]++;
            }
        }
        return firstBytes;
    }

    /**
     * Whether the first bytes of the range's pages, read while the guest is stopped at any point, are
     * consistent: every page's byte equals the previous page's byte, except for at most one step of
     * -1 (mod 256) where the current sweep has got to.
     */
    public static boolean invariantHolds(byte[] firstBytes) {
        int steps = 0;
        for (int p = 1; p < firstBytes.length; p++) {
            byte previous = firstBytes[p - 1];
            if (firstBytes[p] == previous) {
                continue;
            }
            if (firstBytes[p] != (byte) (previous - 1) || ++steps > 1) {
                return false;
            }
        }
        return true;
    }
}
