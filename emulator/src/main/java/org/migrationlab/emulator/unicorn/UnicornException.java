package org.migrationlab.emulator.unicorn;

/** A Unicorn call failed; carries the typed error and {@code uc_strerror}'s text. */
public final class UnicornException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final UcError error;
    private final String operation;

    UnicornException(UcError error, String operation, String text) {
        super(operation + " failed: " + error + " (" + text + ")");
        this.error = error;
        this.operation = operation;
    }

    public UcError error() {
        return error;
    }

    public String operation() {
        return operation;
    }
}
