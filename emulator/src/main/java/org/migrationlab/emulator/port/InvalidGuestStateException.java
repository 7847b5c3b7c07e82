package org.migrationlab.emulator.port;

/**
 * A guest state, or a page set that comes with it, that this machine refuses: malformed, of an unknown
 * version, inconsistent with the machine, or not a state a guest of this machine can be in. Nothing of
 * the machine changed when this is thrown from {@link Migratable#restore}'s checks.
 */
public final class InvalidGuestStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What was wrong, for callers that map it onto their own error kinds. */
    public enum Kind {
        /** The bytes do not decode: magic, version, lengths, checksum. */
        MALFORMED,
        /** A page set names a page it cannot (the null guard, beyond RAM, both ballooned and pending). */
        BAD_PAGE,
        /** It decodes, but this machine cannot take it (registers, devices, missing pages). */
        REFUSED
    }

    private final Kind kind;

    public InvalidGuestStateException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public InvalidGuestStateException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
