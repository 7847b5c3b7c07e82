package org.migrationlab.emulator.machine;

/** The CPU emulator library cannot be used on this host; the message says what to install. */
public final class EmulatorUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmulatorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
