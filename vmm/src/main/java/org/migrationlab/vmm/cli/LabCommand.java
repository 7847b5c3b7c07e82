package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.migrationlab.vmm.labs.Lab;
import org.migrationlab.vmm.labs.LabReport;
import org.migrationlab.vmm.labs.Labs;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vmm lab}: the classroom labs under {@code labs/}; {@code vmm lab check N [DIR]} runs a checker. */
@Command(name = "lab", sortOptions = false, usageHelpAutoWidth = true,
        description = {"The classroom labs (labs/README.md): 'vmm lab check N [DIR]' runs lab N's checker on a"
            + " student's folder and prints what passes and what does not, with figures."},
        subcommands = {LabCommand.Check.class})
public final class LabCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a command: check");
    }

    /** {@code vmm lab check N [DIR]}. */
    @Command(name = "check", sortOptions = false, usageHelpAutoWidth = true,
            description = {"Runs lab N's checker on DIR (default: labs/<the lab's folder>): compiles the student's"
                + " src/, runs it in migrations on this machine and prints each check, PASS or FAIL, with figures."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every check passed", "1:a check failed", "2:usage error: no such lab or folder"},
            footerHeading = "%nExamples:%n",
            footer = {"  vmm lab check 2", "  vmm lab check 3 ~/my-lab3"})
    static final class Check implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "N", description = "The lab's number.")
        private int number;

        @Parameters(index = "1", paramLabel = "DIR", arity = "0..1",
                description = "The student's copy of the lab's folder. Default: labs/<the lab's folder>.")
        private Path folder;

        @Override
        public Integer call() throws InterruptedException {
            Lab lab;
            try {
                lab = Labs.byNumber(number);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            Path dir = folder != null ? folder : Path.of("labs", lab.folderName());
            if (!Files.isDirectory(dir)) {
                throw new UserInputException(dir + ": no such folder (give the lab's folder, which holds README.md)");
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("vmm lab: checking lab " + lab.number() + " in " + dir + " (this runs migrations: some"
                    + " seconds)");
            out.flush();
            LabReport report = Labs.check(lab.number(), dir);
            out.print(TerminalText.escapeLines(report.render()));
            out.flush();
            return report.passed() ? ExitCode.SUCCESS.code() : 1;
        }
    }
}
