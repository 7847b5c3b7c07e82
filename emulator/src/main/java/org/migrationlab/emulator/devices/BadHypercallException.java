package org.migrationlab.emulator.devices;

/** A hypercall the host refuses: unknown port or operation, or arguments outside what the ABI allows. */
public final class BadHypercallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadHypercallException(String message) {
        super(message);
    }
}
