package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.migration.policy.LoadedPolicies;
import org.migrationlab.migration.policy.PolicyLoader;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.engine.LocalRun;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.vmm.render.ProgressPrinter;
import org.migrationlab.vmm.render.SummaryTable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmm run}: boots one guest, runs it to the end and reports. Maps options onto the config records. */
@Command(name = "run", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Boots a guest and runs it to the end on one vCPU.",
            "",
            "Echoes the guest console as it arrives and, for long runs, prints a progress line about once a"
                + " second on stderr. Ends with a summary: result, status, memory hash, wall time, exits, page"
                + " faults, progress and the virtual clock.",
            "",
            "Without --image it boots the built-in kernel: --workload picks one of its workloads (listed"
                + " below) and --arg KEY=VALUE configures it (guest-images/WORKLOADS.md)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the guest halted with status 0",
            "1:the guest halted with a non-zero status, crashed, or the host failed running it",
            "2:usage error: bad option or argument, unknown workload, unreadable or invalid image,"
                + " missing Unicorn library (libunicorn2)",
            "3:internal error (a bug in vmm; a stack trace follows)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmm run --workload wss --memory 512M --arg wss=128M --arg write-ratio=0.5",
            "  vmm run -w incrementer --arg range=8M --arg sweeps=4 --json out.json",
            "  vmm run --image hello.elf --memory 8M"})
public final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private GuestOptions guest;

    @CommandLine.Mixin
    private DsbOptions dsb;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the summary as JSON to FILE. With '-' the JSON goes to standard output"
                    + " alone, and the console and summary to standard error.")
    private Path json;

    @Option(names = "--balloon-policy-class", paramLabel = "[JAR:]CLASS",
            description = "The balloon's size from this class (implements BalloonPolicy; with --dsb on); the"
                    + " self-balloon policy takes over if it fails.")
    private String balloonClass;

    @Option(names = "--count-instructions",
            description = "Count executed instructions exactly (slow: the guest runs tens of times slower).")
    private boolean countInstructions;

    @Option(names = {"-q", "--quiet"},
            description = "Do not echo the guest console or print progress lines; print only the summary.")
    private boolean quiet;

    private LoadedPolicies loadedBalloonPolicy(PrintWriter err) {
        LoadedPolicies loaded = LoadedPolicies.NONE.withNotices(line -> {
            err.println(TerminalText.escapeLines("vmm run: policy " + line));
            err.flush();
        });
        if (balloonClass == null) {
            return loaded;
        }
        try {
            return loaded.withBalloon(PolicyLoader.load(balloonClass, BalloonPolicy.class));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        MachineConfig config = guest.machineConfig(countInstructions, dsb);
        GuestImage image = guest.guestImage();
        JsonTarget.check(json);
        PrintWriter err = spec.commandLine().getErr();
        // With --json -, standard output carries the JSON alone; console and summary move to stderr.
        PrintWriter out = jsonToStandardOutput() ? err : spec.commandLine().getOut();
        Consumer<String> console = quiet ? line -> { } : line -> {
            out.println(TerminalText.escape(line));
            out.flush();
        };
        ProgressPrinter[] progress = new ProgressPrinter[1];
        RunReport report;
        GuestFactory machines = PolicyClassOptions.machines(loadedBalloonPolicy(err));
        try {
            report = LocalRun.run(machines, config, image, guest.imageLabel(), new LocalRun.Observer() {
                @Override
                public void booted(Migratable booted) {
                    booted.echoConsole(console);
                    if (!quiet) {
                        progress[0] = ProgressPrinter.start(booted.progress(), line -> {
                            err.println(line);
                            err.flush();
                        });
                    }
                }

                @Override
                public void ended(GuestEnd end, GuestSummary summary) {
                    if (progress[0] != null) {
                        progress[0].close();
                    }
                    ConsoleEcho.finishLine(summary, console);
                }
            });
        } finally {
            if (progress[0] != null) {
                progress[0].close();
            }
        }
        guest.rejectUnknownWorkload(report);
        out.print(SummaryTable.render(report));
        out.flush();
        writeJson(report);
        return guestExitCode("vmm run", report.outcome(), report.console(), err);
    }

    /**
     * The exit code for how a guest ended: {@link ExitCode#SUCCESS} for a halt with status 0, else
     * {@link ExitCode#GUEST_FAILED} after one line on {@code err} saying why.
     */
    static int guestExitCode(String command, GuestOutcome outcome, String console, PrintWriter err) {
        return switch (outcome) {
            case GuestOutcome.Halted halted when halted.status() == 0 -> ExitCode.SUCCESS.code();
            case GuestOutcome.Halted halted -> {
                // The kernel's convention (WORKLOADS.md): the console's last line says why.
                String why = console.lines().reduce((first, second) -> second).orElse("");
                err.println(command + ": the guest halted with status " + halted.status()
                        + (why.isBlank() ? "" : ": " + why));
                err.flush();
                yield ExitCode.GUEST_FAILED.code();
            }
            case GuestOutcome.Crashed crashed -> {
                // The message names the RIP and, where one applies, the faulting address.
                err.println(command + ": guest crashed: " + crashed.kind() + ": " + OneLine.of(crashed.message()));
                err.flush();
                yield ExitCode.GUEST_FAILED.code();
            }
            case GuestOutcome.Failed failed -> {
                err.println(command + ": host error while running the guest: " + OneLine.of(failed.message()));
                err.flush();
                yield ExitCode.GUEST_FAILED.code();
            }
        };
    }

    private void writeJson(RunReport report) {
        if (json == null) {
            return;
        }
        String text = ReportJson.render(report);
        if (jsonToStandardOutput()) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return;
        }
        JsonTarget.write(json, text);
    }

    private boolean jsonToStandardOutput() {
        return JsonTarget.isStandardOutput(json);
    }
}
