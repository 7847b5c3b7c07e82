package org.migrationlab.migration.session;

/** A paused post-copy migration could not be resumed before its recover timeout (PROTOCOL §5.6). */
final class RecoveryFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RecoveryFailedException(String message) {
        super(message);
    }
}
