package org.migrationlab.migration.report;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the downtime went, in milliseconds, so that the figure explains itself: the {@code downtime-breakdown}
 * object of the migration report. The guest stops at the end of {@code pause}; the six stages after it
 * follow one another and add up to the downtime. {@code network} is what is left of the time from the
 * SWITCH_OVER written to the RESUMED read once the destination's own stages are taken out: the wire both
 * ways, the event loops' queues and the frames' decryption. It is never below 0: when the destination's
 * stages began while the source was still writing the SWITCH_OVER, that overlap is taken from {@code send},
 * so the stages add up to the downtime (more only when the overlap is longer than the whole send).
 *
 * @param pauseMs   from the freeze requested to the vCPU stopped (the guest still runs: not downtime)
 * @param captureMs from the vCPU stopped to the guest's state, dirty log and balloon captured and handed back
 * @param sendMs    from there to the SWITCH_OVER written to the connection (in pre-copy, the last dirty pages too)
 * @param durableMs of {@code send}, the source's durable writes with a state directory (its checkpoint and its
 *                  journal entry, written between GUEST_STATE and SWITCH_OVER) as the source timed its send
 *                  (before any overlap is taken from it); 0 without one. Not a stage of its own: what durable
 *                  mode adds to the downtime, measured where it is spent
 * @param networkMs the rest of the round trip to the RESUMED read, as above
 * @param receiveMs the destination decoding GUEST_STATE and SWITCH_OVER
 * @param restoreMs the destination restoring the state into its machine
 * @param resumeMs  from the restore to the RESUMED handed to the connection, the vCPU's start included
 */
public record DowntimeBreakdown(@JsonProperty("pause") double pauseMs,
                                @JsonProperty("state-capture") double captureMs,
                                @JsonProperty("send") double sendMs,
                                @JsonProperty("send-durable-writes") double durableMs,
                                @JsonProperty("network") double networkMs,
                                @JsonProperty("receive") double receiveMs,
                                @JsonProperty("restore") double restoreMs,
                                @JsonProperty("resume") double resumeMs) {

    /**
     * From the instants the source saw and the durations the destination reported, all in nanoseconds.
     *
     * @param freezeRequested the freeze asked of the vCPU
     * @param stopped         the vCPU stopped
     * @param captured        the frozen guest back on the session's thread
     * @param switchOverSent  the SWITCH_OVER's write completed
     * @param resumedRead     the RESUMED read by the session
     * @param durable         of the send, the durable writes' duration (0 without a state directory)
     */
    public static DowntimeBreakdown of(long freezeRequested, long stopped, long captured, long switchOverSent,
                                       long resumedRead, long receive, long restore, long resume, long durable) {
        long network = resumedRead - switchOverSent - receive - restore - resume;
        long send = switchOverSent - captured;
        if (network < 0) {
            // The destination's stages began before the source saw its last write complete: that overlap is
            // counted once, as the destination's, so the stages still add up to the downtime.
            send = Math.max(0, send + network);
            network = 0;
        }
        return new DowntimeBreakdown(ms(stopped - freezeRequested), ms(captured - stopped),
                ms(send), ms(Math.min(durable, Math.max(0, switchOverSent - captured))), ms(network), ms(receive),
                ms(restore), ms(resume));
    }

    /** The stages that are downtime (all but the pause), summed. */
    public double downtimeMs() {
        return captureMs + sendMs + networkMs + receiveMs + restoreMs + resumeMs;
    }

    private static double ms(long nanos) {
        return Math.max(0, nanos) / 1e6;
    }
}
