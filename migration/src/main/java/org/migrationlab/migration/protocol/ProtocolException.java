package org.migrationlab.migration.protocol;

/** Input that breaks the protocol; the session ends with {@code ABORT(reason, detail)}. */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final AbortReason reason;

    public ProtocolException(AbortReason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public AbortReason reason() {
        return reason;
    }

    /** The detail without the reason prefix. */
    public String detail() {
        String message = getMessage();
        return message.substring(message.indexOf(": ") + 2);
    }
}
