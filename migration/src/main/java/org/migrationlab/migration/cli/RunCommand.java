package org.migrationlab.migration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.stats.GuestOutcome;
import org.migrationlab.migration.stats.LiveProgress;
import org.migrationlab.migration.stats.ProgressPrinter;
import org.migrationlab.migration.stats.RunReport;
import org.migrationlab.migration.stats.RunReportJson;
import org.migrationlab.migration.stats.SummaryTable;

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
            "Without --image it boots the built-in kernel, whose --workload is one of wss, incrementer,"
                + " quicksort, kcompile, kvstore, stream or probe; --arg KEY=VALUE configures it"
                + " (guest-images/WORKLOADS.md)."},
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
    /** The built-in kernel's exit status for a workload name it does not know (guest-images/WORKLOADS.md). */
    static final long KERNEL_EXIT_UNKNOWN_WORKLOAD = 3;
    static final String BUILT_IN_KERNEL = "built-in kernel (" + GuestImages.KERNEL + ")";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-w", "--workload"}, paramLabel = "NAME", defaultValue = "",
            description = "Workload to run (a boot argument for the guest). Default: the kernel's default, wss.")
    private String workload;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "64M", converter = ByteSizeConverter.class,
            description = "Guest RAM: bytes or with K, M, G, T (powers of 1024), a multiple of 4K from 4M to 64G."
                    + " Default: ${DEFAULT-VALUE}.")
    private long memoryBytes;

    @Option(names = {"-a", "--arg"}, paramLabel = "KEY=VALUE", converter = BootArgConverter.class,
            description = "A boot argument for the workload, like wss=128M or write-ratio=0.5. Repeatable.")
    private List<Map.Entry<String, String>> args = List.of();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed for every pseudo-random choice the guest makes. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--image", paramLabel = "FILE",
            description = "Boot this guest image instead of the built-in kernel (see guest-images/GUIDE.md).")
    private Path image;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "Format of --image: auto (ELF only), elf, or flat (raw code loaded at 0x100000 and"
                    + " entered at its first byte). Default: auto.")
    private ImageFormat format;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the summary as JSON to FILE. With '-' the JSON goes to standard output"
                    + " alone, and the console and summary to standard error.")
    private Path json;

    @Option(names = "--count-instructions",
            description = "Count executed instructions exactly (slow: the guest runs tens of times slower).")
    private boolean countInstructions;

    @Option(names = {"-q", "--quiet"},
            description = "Do not echo the guest console or print progress lines; print only the summary.")
    private boolean quiet;

    @Override
    public Integer call() throws InterruptedException {
        MachineConfig config = machineConfig();
        GuestRun run = new GuestRun(config, guestImage(), image == null ? BUILT_IN_KERNEL : image.toString());
        checkJsonTarget();
        PrintWriter err = spec.commandLine().getErr();
        // With --json -, standard output carries the JSON alone; console and summary move to stderr.
        PrintWriter out = jsonToStandardOutput() ? err : spec.commandLine().getOut();
        Consumer<String> console = quiet ? line -> { } : line -> {
            out.println(line);
            out.flush();
        };
        LiveProgress live = new LiveProgress();
        RunReport report;
        ProgressPrinter progress = quiet ? null : ProgressPrinter.start(live, line -> {
            err.println(line);
            err.flush();
        });
        try {
            report = run.execute(console, live);
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        rejectUnknownWorkload(report);
        out.print(SummaryTable.render(report));
        out.flush();
        writeJson(report);
        return switch (report.outcome()) {
            case GuestOutcome.Halted halted when halted.status() == 0 -> ExitCode.SUCCESS.code();
            case GuestOutcome.Halted halted -> {
                // The kernel's convention (WORKLOADS.md): the console's last line says why.
                String why = report.console().lines().reduce((first, second) -> second).orElse("");
                err.println("vmm run: the guest halted with status " + halted.status() + (why.isBlank() ? "" : ": " + why));
                err.flush();
                yield ExitCode.GUEST_FAILED.code();
            }
            case GuestOutcome.Crashed crashed -> {
                // The message names the RIP and, where one applies, the faulting address.
                err.println("vmm run: guest crashed: " + crashed.kind() + ": " + OneLine.of(crashed.message()));
                err.flush();
                yield ExitCode.GUEST_FAILED.code();
            }
            case GuestOutcome.Failed failed -> {
                err.println("vmm run: host error while running the guest: " + OneLine.of(failed.message()));
                err.flush();
                yield ExitCode.GUEST_FAILED.code();
            }
        };
    }

    private MachineConfig machineConfig() {
        Map<String, String> bootArgs = new LinkedHashMap<>();
        for (Map.Entry<String, String> arg : args) {
            if (bootArgs.putIfAbsent(arg.getKey(), arg.getValue()) != null) {
                throw usage("--arg " + arg.getKey() + " is given twice");
            }
        }
        try {
            return new MachineConfig(memoryBytes, new BootArgs(workload, bootArgs, seed), countInstructions);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private GuestImage guestImage() {
        if (image == null) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--format")) {
                throw usage("--format applies only to --image");
            }
            return ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(image);
        } catch (NoSuchFileException e) {
            throw new UserInputException("cannot read image " + image + ": no such file");
        } catch (IOException e) {
            throw new UserInputException("cannot read image " + image + ": " + e);
        }
        return ImageLoader.load(image.toString(), bytes, format);
    }

    /** Fails before the run, not after it, when the JSON report could not be written. */
    private void checkJsonTarget() {
        if (json == null || jsonToStandardOutput()) {
            return;
        }
        Path parent = json.toAbsolutePath().getParent();
        if (Files.isDirectory(json) || parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new UserInputException("cannot write the JSON report to " + json
                    + ": not a writable file in an existing directory");
        }
    }

    /** The built-in kernel reports an unknown workload by exit status; that is a usage error here. */
    private void rejectUnknownWorkload(RunReport report) {
        if (image == null && report.outcome() instanceof GuestOutcome.Halted halted
                && halted.status() == KERNEL_EXIT_UNKNOWN_WORKLOAD) {
            String known = report.console().lines().filter(line -> line.contains("unknown workload")).findFirst()
                    .orElse("unknown workload '" + workload + "'");
            throw new UserInputException(known.replaceFirst("^boot: ", ""));
        }
    }

    private void writeJson(RunReport report) {
        if (json == null) {
            return;
        }
        String text = RunReportJson.render(report);
        if (jsonToStandardOutput()) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return;
        }
        try {
            Files.writeString(json, text);
        } catch (IOException e) {
            throw new UserInputException("cannot write the JSON report to " + json + ": " + e);
        }
    }

    private boolean jsonToStandardOutput() {
        return json != null && json.toString().equals("-");
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
