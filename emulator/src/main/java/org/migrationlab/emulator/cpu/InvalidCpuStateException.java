package org.migrationlab.emulator.cpu;

/**
 * A CPU state this machine refuses: encoded bytes that fail validation (magic, version, length, CRC), or
 * registers it cannot load ({@link CpuStateRules}). Thrown before any register is written.
 */
public final class InvalidCpuStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCpuStateException(String message) {
        super(message);
    }
}
