package org.migrationlab.vmm.cli;

import org.migrationlab.emulator.image.InvalidImageException;
import org.migrationlab.emulator.machine.EmulatorUnavailableException;

import picocli.CommandLine;

/**
 * Exceptions that escape a command. Those the user can fix — a missing Unicorn library, an invalid
 * image, an unreadable or unwritable file ({@link UserInputException}) — become one line on stderr and
 * {@link ExitCode#USAGE}. Anything else is a bug in vmm: one line, then the stack trace, and
 * {@link ExitCode#INTERNAL_ERROR}.
 */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        String command = cmd.getCommandSpec().qualifiedName();
        var err = cmd.getErr();
        switch (ex) {
            case EmulatorUnavailableException e -> err.println(command + ": " + OneLine.of(e.getMessage()));
            case InvalidImageException e -> err.println(command + ": invalid image: " + OneLine.of(e.getMessage()));
            case UserInputException e -> err.println(command + ": " + OneLine.of(e.getMessage()));
            default -> {
                err.println(command + ": internal error: " + OneLine.of(String.valueOf(ex)));
                ex.printStackTrace(err);
                err.flush();
                return ExitCode.INTERNAL_ERROR.code();
            }
        }
        err.flush();
        return ExitCode.USAGE.code();
    }
}
