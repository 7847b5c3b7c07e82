package org.migrationlab.emulator.unicorn;

/** The Unicorn library could not be loaded; the message names the package that provides it. */
public final class UnicornUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnicornUnavailableException(String library, String debianPackage, Throwable cause) {
        super("cannot load the Unicorn 2 emulator library '" + library + "' (" + cause.getMessage()
                + "). Install it with: sudo apt-get install -y " + debianPackage, cause);
    }
}
