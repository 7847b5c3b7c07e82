package org.migrationlab.migration.transport;

import org.migrationlab.migration.protocol.AbortReason;

/** The handshake failed on this end (the peer gets an ABORT with the same reason). */
public final class HandshakeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final AbortReason reason;

    public HandshakeException(AbortReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AbortReason reason() {
        return reason;
    }
}
