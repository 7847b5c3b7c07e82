package org.migrationlab.vmm.cli;

/**
 * A problem the user can fix that is found after parsing: an image file that cannot be read, a report
 * file that cannot be written. Reported as one line with {@link ExitCode#USAGE}.
 */
final class UserInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserInputException(String message) {
        super(message);
    }
}
