package org.migrationlab.migration.engine;

/**
 * How often a migration that failed while the guest was still the source's starts again ({@code --retries}):
 * the guest runs on at the source between attempts, which wait a backoff that doubles from
 * {@code firstBackoffMillis} up to {@link #MAX_BACKOFF_MILLIS}. A migration that failed after the destination
 * took the guest (or may have) is never restarted: the guest is no longer the source's to send.
 *
 * @param count              attempts after the first (0: none)
 * @param firstBackoffMillis the wait before the first retry
 */
public record Retries(int count, long firstBackoffMillis) {
    public static final Retries NONE = new Retries(0, 0);
    public static final long DEFAULT_FIRST_BACKOFF_MILLIS = 500;
    static final long MAX_BACKOFF_MILLIS = 10_000;

    public Retries {
        if (count < 0 || count > 100) {
            throw new IllegalArgumentException("retries must be 0..100: " + count);
        }
        if (firstBackoffMillis < 0) {
            throw new IllegalArgumentException("the retry backoff must not be negative: " + firstBackoffMillis);
        }
    }

    public static Retries of(int count) {
        return new Retries(count, DEFAULT_FIRST_BACKOFF_MILLIS);
    }

    /** The wait before retry {@code retry} (1 for the first). */
    public long backoffMillis(int retry) {
        long backoff = firstBackoffMillis;
        for (int i = 1; i < retry && backoff < MAX_BACKOFF_MILLIS; i++) {
            backoff *= 2;
        }
        return Math.min(backoff, MAX_BACKOFF_MILLIS);
    }
}
