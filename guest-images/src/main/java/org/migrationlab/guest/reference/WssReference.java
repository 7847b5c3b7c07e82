package org.migrationlab.guest.reference;

import java.util.Locale;
import java.util.Map;

/**
 * The {@code wss} workload's result in plain Java (WORKLOADS.md, "wss"): the working set is a
 * {@code long[]} of {@code pages * 512} words, zero at the start, accessed exactly as the guest does.
 * Runs in well under a second for sets of 16–64 MiB.
 */
public final class WssReference {
    private static final int WORDS_PER_PAGE = 512;

    /** How the page of each access is chosen. */
    public enum Pattern {
        SEQ, RANDOM, HOTCOLD;

        static Pattern parse(String name) {
            for (Pattern p : values()) {
                if (p.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("wss: pattern=" + name + " is not seq, random or hotcold");
        }
    }

    /**
     * The arguments of a finite run.
     *
     * @param wssBytes      working-set size; its whole pages are used
     * @param writePermille share of accesses that write, in per-mille
     * @param passes        passes over the set, at least 1 (the guest's 0 means forever, which has no result)
     * @param hotPermille   share of pages that are hot under {@link Pattern#HOTCOLD}, in per-mille
     */
    public record Config(long wssBytes, int writePermille, Pattern pattern, long passes, int hotPermille) {
        public Config {
            if (wssBytes < 4096 || wssBytes / 4096 * WORDS_PER_PAGE > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("wss: " + wssBytes + " bytes is not between a page and 16 GiB");
            }
            if (writePermille < 0 || writePermille > 1000 || hotPermille < 0 || hotPermille > 1000) {
                throw new IllegalArgumentException("wss: ratios are per-mille in 0..1000");
            }
            if (passes < 1) {
                throw new IllegalArgumentException("wss: passes=" + passes + " has no result (0 runs forever)");
            }
        }

        public static Config defaults() {
            return new Config(16L << 20, 500, Pattern.SEQ, 4, 100);
        }

        /** Reads wss=, write-ratio=, pattern=, passes=, hot= as the guest does; unknown keys are refused. */
        public static Config fromArgs(Map<String, String> args) {
            WorkloadArgs a = new WorkloadArgs("wss", args);
            Config d = defaults();
            Config c = new Config(a.size("wss", d.wssBytes()), a.permille("write-ratio", d.writePermille()),
                    Pattern.parse(a.string("pattern", "seq")), a.integer("passes", d.passes()),
                    a.permille("hot", d.hotPermille()));
            a.rejectUnused();
            return c;
        }

        public long pages() {
            return wssBytes / 4096;
        }

        /** Hot pages are the first {@code max(1, pages * hot / 1000)} pages of the set. */
        public long hotPages() {
            return Math.max(1, pages() * hotPermille / 1000);
        }
    }

    /** Everything the guest prints in its end summary. */
    public record Outcome(long checksum, long memoryHash, long result, long writes, long reads) {
    }

    private WssReference() {
    }

    /** The guest's exit result for this seed and these boot arguments. */
    public static long result(long seed, Map<String, String> args) {
        return run(seed, Config.fromArgs(args)).result();
    }

    public static Outcome run(long seed, Config config) {
        int pages = (int) config.pages();
        long hot = config.hotPages();
        long cold = pages - hot;
        long[] set = new long[pages * WORDS_PER_PAGE];
        Splitmix64 random = new Splitmix64(seed);
        long checksum = 0;
        long writes = 0;
        for (long pass = 0; pass < config.passes(); pass++) {
            for (int i = 0; i < pages; i++) {
                long page = switch (config.pattern()) {
                    case SEQ -> i;
                    case RANDOM -> Long.remainderUnsigned(random.next(), pages);
                    case HOTCOLD -> {
                        long c = random.next();
                        boolean toHot = Long.remainderUnsigned(c, 10) < 9 || cold == 0;
                        yield toHot ? (c >>> 8) % hot : hot + (c >>> 8) % cold;
                    }
                };
                long r = random.next();
                int word = (int) (page * WORDS_PER_PAGE + ((r >>> 20) & (WORDS_PER_PAGE - 1)));
                if (Long.remainderUnsigned(r, 1000) < config.writePermille()) {
                    set[word] = r;
                    writes++;
                } else {
                    checksum = Fnv64.fold(checksum, set[word]);
                }
            }
        }
        long memoryHash = Fnv64.OFFSET;
        for (long w : set) {
            memoryHash = Fnv64.fold(memoryHash, w);
        }
        long accesses = config.passes() * pages;
        return new Outcome(checksum, memoryHash, Splitmix64.mix64(checksum) ^ memoryHash, writes, accesses - writes);
    }
}
