package org.migrationlab.migration.protocol;

/**
 * Wire codes of the records (PROTOCOL §4). Codes are protocol: never renumbered, never reused: 6, 7 and
 * 14 (version 2's CPU_STATE, DEVICE_STATE and BALLOON_MAP, now one GUEST_STATE) stay retired. A code
 * with bit 0x8000 set is optional: a receiver that does not know it may skip it.
 */
public enum RecordType {
    HELLO(1), AUTH(2), GUEST_CONFIG(3), PAGE_BATCH(4), ROUND_END(5),
    SWITCH_OVER(8), RESUMED(9), PAGE_REQUEST(10), PAGES_DONE(11), COMPLETE(12), ABORT(13),
    GUEST_STATE(15), HEARTBEAT(16), RECOVER(17), RECOVERED(18), READY(19),
    PROGRESS_HINT(0x8001), DESTINATION_STATS(0x8002), FAULT_STAGES(0x8003);

    public static final int OPTIONAL_BIT = 0x8000;
    private static final RecordType[] BY_CODE = new RecordType[20];

    static {
        for (RecordType type : values()) {
            if (type.code < BY_CODE.length) {
                BY_CODE[type.code] = type;
            }
        }
    }

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isOptional() {
        return (code & OPTIONAL_BIT) != 0;
    }

    /** The type for a wire code, or null when this version does not know it. Code 0 is never valid. */
    public static RecordType ofCode(int code) {
        if (code > 0 && code < BY_CODE.length) {
            return BY_CODE[code];
        }
        if (code == PROGRESS_HINT.code) {
            return PROGRESS_HINT;
        }
        if (code == FAULT_STAGES.code) {
            return FAULT_STAGES;
        }
        return code == DESTINATION_STATS.code ? DESTINATION_STATS : null;
    }
}
