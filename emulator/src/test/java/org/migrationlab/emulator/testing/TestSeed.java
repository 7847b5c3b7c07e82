package org.migrationlab.emulator.testing;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of a randomized test: {@code -Dmigrationlab.seed=N} replays a run, else each run draws a fresh
 * one. Either way the seed is printed before the test uses it, so that any failure can be replayed.
 * jqwik properties take the same property ({@link PropertySeeds}).
 *
 * @param value the seed
 */
public record TestSeed(long value) {
    /** The system property that fixes every randomized test's seed. */
    public static final String PROPERTY = "migrationlab.seed";

    /** The seed for {@code test}: the property's, or a fresh one; printed either way. */
    public static TestSeed forTest(String test) {
        Long fixed = Long.getLong(PROPERTY);
        TestSeed seed = new TestSeed(fixed != null ? fixed : ThreadLocalRandom.current().nextLong());
        System.out.println(test + ": " + seed);
        return seed;
    }

    /** A generator seeded with this seed. */
    public Random random() {
        return new Random(value);
    }

    /** How a failure message names the seed. */
    @Override
    public String toString() {
        return "seed " + value + " (replay: -D" + PROPERTY + "=" + value + ")";
    }
}
