package org.migrationlab.emulator.cpu;

/** Encoded CPU state that fails validation (bad magic, version, length or CRC). */
public final class InvalidCpuStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCpuStateException(String message) {
        super(message);
    }
}
