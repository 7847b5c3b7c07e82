package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vmm rollback}: the operator's fence. Tells the {@code vmm migrate} running on a state directory that
 * its destination is dead for good, so that a source in postcopy-paused resumes its own paused copy (the guest
 * as of the switch-over) instead of redialling until its recover timeout. Only the operator can know that:
 * given while the destination still runs the guest, it runs the guest twice.
 */
@Command(name = "rollback", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Fences a dead destination: the 'vmm migrate' running with --state-dir DIR resumes its own"
            + " paused copy of the guest (the guest as of the switch-over) and reports rolled-back.",
            "",
            "ONLY when the destination is known dead (its machine gone and not coming back): a destination that is"
                + " merely cut off still runs the guest, and the guest would then run on both sides (split brain)."
                + " The source accepts the fence only in postcopy-paused (its link lost, redialling); anywhere else"
                + " it refuses, saying why."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the source rolled back: the guest runs on it again",
            "1:the source refused the fence (it is not in postcopy-paused, or another migration is meant)",
            "2:usage error: no such directory, or no vmm migrate running on it"},
        footerHeading = "%nExamples:%n",
        footer = {"  vmm rollback --state-dir /var/lib/vmm --reason 'host b lost its disks'",
            "  vmm rollback --state-dir /var/lib/vmm 3f2a...-... "})
public final class RollbackCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--state-dir", paramLabel = "DIR", required = true,
            description = "The state directory of the running vmm migrate.")
    private Path stateDir;

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "the destination is known dead",
            description = "Why, for the source's report. Default: ${DEFAULT-VALUE}.")
    private String reason;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID",
            description = "The migration meant (vmm status lists it); default: the one the source has paused.")
    private String migrationId;

    @Override
    public Integer call() throws InterruptedException {
        if (!Files.isDirectory(stateDir)) {
            throw new UserInputException("--state-dir " + stateDir + ": no such directory");
        }
        Optional<UUID> id;
        try {
            id = migrationId == null ? Optional.empty() : Optional.of(UUID.fromString(migrationId));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "not a migration id: " + migrationId);
        }
        Path socket = stateDir.resolve(FenceSocket.FILE);
        String answer;
        try {
            answer = FenceClient.ask(socket, new FenceRequest(id, reason).line());
        } catch (IOException e) {
            throw new UserInputException("no vmm migrate answers on --state-dir " + stateDir + " (" + FenceSocket.FILE
                    + ": " + e.getMessage() + ")");
        }
        if (answer == null) {
            throw new UserInputException("the vmm migrate on --state-dir " + stateDir + " closed without an answer");
        }
        MigrateCommand.printLine(answer.startsWith("rolled-back ") ? spec.commandLine().getOut()
                : spec.commandLine().getErr(), "vmm rollback: " + answer);
        return answer.startsWith("rolled-back ") ? ExitCode.SUCCESS.code() : ExitCode.MIGRATION_FAILED.code();
    }
}
