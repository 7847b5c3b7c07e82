package org.migrationlab.migration.protocol;

/** Why a session ended early (PROTOCOL §4). Codes are protocol. */
public enum AbortReason {
    VERSION(1), AUTH_FAILED(2), MALFORMED(3), UNKNOWN_RECORD(4), BAD_PAGE(5), BAD_CRC(6),
    UNEXPECTED_RECORD(7), BAD_STATE(8), GUEST_FAILED(9), CANCELLED(10), CONNECTION_LOST(11), TIMEOUT(12),
    /**
     * The answer of a restarted destination to a post-copy RECOVER for a guest it ran and no longer runs
     * (its journal shows it owned the guest; the process that ran it died): proof that the destination's
     * copy is gone, so the source may resume its own (PROTOCOL §5.7). Version 8.
     */
    GUEST_LOST(13),
    /** A code this version does not know (kept so the peer's abort is still reported). */
    UNKNOWN(0);

    private final int code;

    AbortReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static AbortReason ofCode(int code) {
        for (AbortReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        return UNKNOWN;
    }
}
