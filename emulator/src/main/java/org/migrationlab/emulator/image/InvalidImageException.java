package org.migrationlab.emulator.image;

/** A guest image that cannot be loaded: not ELF64 x86-64 or flat, empty, too large, or misplaced. */
public final class InvalidImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidImageException(String message) {
        super(message);
    }
}
