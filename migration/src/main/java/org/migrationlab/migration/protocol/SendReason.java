package org.migrationlab.migration.protocol;

/** Why a page batch was sent (PROTOCOL §4); the statistics count pages by it. Codes are protocol. */
public enum SendReason {
    PRECOPY_ROUND(0), STOP_AND_COPY(1), PUSH(2), PREPAGE(3), DEMAND(4);

    private final int code;

    SendReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static SendReason ofCode(int code) {
        for (SendReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        throw new ProtocolException(AbortReason.MALFORMED, "unknown send reason " + code);
    }
}
