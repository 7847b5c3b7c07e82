package org.migrationlab.migration.progress;

/**
 * What one pre-copy round did and what the guest did meanwhile: the record that shows a stop policy's
 * decisions, and auto-converge's throttle with the guest's progress it costs, round by round.
 *
 * @param round            0 for the full copy, then 1, 2, …
 * @param nanos            how long the round took
 * @param pagesSent        pages handed to the channel in it
 * @param dirtyPages       pages the guest dirtied during it (what the next round, or the stop-and-copy, sends)
 * @param bytesPerSecond   the link rate measured over it
 * @param throttlePercent  the vCPU throttle in force while it ran
 * @param progressPerSecond the guest's progress per second of wall time while it ran
 */
public record RoundFigures(int round, long nanos, long pagesSent, long dirtyPages, double bytesPerSecond,
                           int throttlePercent, double progressPerSecond) {
}
