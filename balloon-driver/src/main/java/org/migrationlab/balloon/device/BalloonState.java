package org.migrationlab.balloon.device;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The balloon device's migratable state: its size and what the policy must remember, and the counters
 * of {@link BalloonStats} (which pages are ballooned is not here: the memory map's page states say it,
 * and they move as the migration's balloon map).
 *
 * <p>Binary form, layout version {@value #VERSION} (little-endian): the nine u64 fields in record order.
 * Any change to the fields needs a new version; {@link #decode} accepts exactly this one.
 *
 * @param queriesSincePressure queries since the last pressure deflation ({@link Long#MAX_VALUE}: none yet)
 */
public record BalloonState(long balloonPages, long queriesSincePressure, long queries, long inflations, long deflations,
                           long pressureDeflations, long refusedInflations, long pagesReturned, long pagesReclaimed) {
    public static final int VERSION = 1;
    static final int ENCODED_BYTES = 9 * 8;

    public BalloonState {
        if (balloonPages < 0 || queriesSincePressure < 0 || queries < 0 || inflations < 0 || deflations < 0
                || pressureDeflations < 0 || refusedInflations < 0 || pagesReturned < 0 || pagesReclaimed < 0) {
            throw new IllegalArgumentException("balloon state has a negative counter");
        }
        if (pressureDeflations > deflations) {
            throw new IllegalArgumentException("balloon state: more pressure deflations than deflations");
        }
    }

    /** A balloon that has never been used. */
    public static BalloonState initial() {
        return new BalloonState(0, Long.MAX_VALUE, 0, 0, 0, 0, 0, 0, 0);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(balloonPages).putLong(queriesSincePressure).putLong(queries).putLong(inflations)
                .putLong(deflations).putLong(pressureDeflations).putLong(refusedInflations).putLong(pagesReturned)
                .putLong(pagesReclaimed).array();
    }

    /** Decodes {@link #encode()} output of layout {@code version}; a wrong version, length or value is an {@link IllegalArgumentException}. */
    public static BalloonState decode(int version, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (version != VERSION) {
                throw new IllegalArgumentException("balloon state version " + version + ", this host reads " + VERSION);
            }
            if (bytes.length != ENCODED_BYTES) {
                throw new IllegalArgumentException("balloon state is " + bytes.length + " bytes, expected " + ENCODED_BYTES);
            }
            return new BalloonState(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(),
                    in.getLong(), in.getLong(), in.getLong());
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("balloon state is truncated");
        }
    }
}
