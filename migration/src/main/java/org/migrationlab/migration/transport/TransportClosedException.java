package org.migrationlab.migration.transport;

/** A send failed because the connection is gone (or stayed full past its timeout). */
public final class TransportClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransportClosedException(String message) {
        super(message);
    }
}
