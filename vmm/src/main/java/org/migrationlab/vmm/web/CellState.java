package org.migrationlab.vmm.web;

import org.migrationlab.migration.protocol.SendReason;

/**
 * The one byte a page map holds per page, and the page's colour in the browser. The low seven bits say
 * what happened to the page last; the top bit says it went as a zero page. A page sent in pre-copy round
 * r is {@code ROUND_0 + r} (the last rounds share one code). The page's script decodes the same values.
 */
public final class CellState {
    public static final byte NOT_SENT = 0;
    public static final byte DIRTIED = 1;
    public static final byte BALLOONED = 2;
    public static final byte STOP_AND_COPY = 3;
    public static final byte PUSH = 4;
    public static final byte PREPAGE = 5;
    public static final byte DEMAND = 6;
    /** Destination: the page arrived and the guest has not touched it yet. */
    public static final byte RECEIVED = 7;
    /** Destination: the guest waits for the page (a network fault in flight). */
    public static final byte AWAITED = 8;
    /** Destination: the page arrived before the guest needed it, and the guest has touched it since. */
    public static final byte TOUCHED = 9;
    /**
     * Destination: the page arrived before the switch-over. It is present when the guest starts here, so the
     * guest's touches are not trapped and it never shows as touched.
     */
    public static final byte PRECOPIED = 10;
    public static final byte ROUND_0 = 16;
    public static final int LAST_ROUND = 47;
    public static final int ZERO_FLAG = 0x80;

    private CellState() {
    }

    /** The state of a page just sent for {@code reason} (in {@code round}), zero or not. */
    public static byte sent(SendReason reason, int round, boolean zero) {
        int kind = switch (reason) {
            case PRECOPY_ROUND -> ROUND_0 + Math.min(Math.max(round, 0), LAST_ROUND - ROUND_0);
            case STOP_AND_COPY -> STOP_AND_COPY;
            case PUSH -> PUSH;
            case PREPAGE -> PREPAGE;
            case DEMAND -> DEMAND;
        };
        return (byte) (zero ? kind | ZERO_FLAG : kind);
    }
}
