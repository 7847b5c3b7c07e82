package org.migrationlab.vmm.cli;

import picocli.CommandLine;

/**
 * Bad command lines (unknown option, missing or malformed value, an option that needs another): one line
 * on stderr naming the command and pointing to its help, and {@link ExitCode#USAGE}. No usage dump and
 * no stack trace.
 */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String command = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(command + ": " + OneLine.of(ex.getMessage()) + " (see '" + command + " --help')");
        cmd.getErr().flush();
        return ExitCode.USAGE.code();
    }
}
