package org.migrationlab.vmm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vmm}: the command line of the migration lab. Subcommands do the work; this class wires picocli
 * (case-insensitive enum values, one-line error handlers) and holds {@link #main}.
 */
@Command(name = "vmm", mixinStandardHelpOptions = true, versionProvider = VmmVersion.class,
        scope = CommandLine.ScopeType.INHERIT, usageHelpAutoWidth = true,
        description = {
            "Runs x86-64 guest kernels in the Unicorn 2 emulator, with Java owning guest memory and page"
                + " tables, and live-migrates them between processes (pre-copy, post-copy, hybrid, prepaging).",
            "",
            "Start with 'vmm demo': a whole migration between two processes, checked against an unmigrated run."},
        subcommands = {DemoCommand.class, RunCommand.class, MigrateCommand.class, DaemonCommand.class, StatusCommand.class,
            RollbackCommand.class,
            EvalCommand.class, LabCommand.class, WarmUpCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'vmm COMMAND --help' for a command's options and exit codes."})
public final class VmmCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** The configured command line; tests call {@code execute} on it with captured streams. */
    public static CommandLine commandLine() {
        return new CommandLine(new VmmCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(new UsageErrorHandler())
                .setExecutionExceptionHandler(new FailureHandler());
    }

    public static void main(String[] args) {
        quietLibraryLogging();
        System.exit(commandLine().execute(args));
    }

    /**
     * Netty asks SLF4J for its loggers, and SLF4J without a provider prints three lines of warning on the
     * terminal of every process. The libraries' own logs have no reader here: the commands say what happened.
     */
    static void quietLibraryLogging() {
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
    }

    /** {@code vmm} alone: a usage error that names the commands. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing a command: " + spec.subcommands().entrySet().stream()
                        .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden())
                        .map(java.util.Map.Entry::getKey).collect(java.util.stream.Collectors.joining(", ")));
    }
}
