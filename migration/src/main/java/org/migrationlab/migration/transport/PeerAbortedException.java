package org.migrationlab.migration.transport;

import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;

/** The peer ended the session with an ABORT record. */
public final class PeerAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final AbortReason reason;

    public PeerAbortedException(MigrationRecord.Abort abort) {
        super("the peer aborted: " + abort.reason() + ": " + abort.message());
        this.reason = abort.reason();
    }

    public AbortReason reason() {
        return reason;
    }
}
