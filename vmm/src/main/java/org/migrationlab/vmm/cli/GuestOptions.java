package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options that describe a guest ({@code --workload}, {@code --memory}, {@code --arg}, {@code --seed},
 * {@code --image}, {@code --format}), shared by {@code run} and {@code migrate}, and their mapping onto
 * the emulator's config records.
 */
final class GuestOptions {
    /** The built-in kernel's exit status for a workload name it does not know (guest-images/WORKLOADS.md). */
    static final long KERNEL_EXIT_UNKNOWN_WORKLOAD = 3;
    static final String BUILT_IN_KERNEL_PREFIX = "built-in kernel";
    static final String BUILT_IN_KERNEL = BUILT_IN_KERNEL_PREFIX + " (" + GuestImages.KERNEL + ")";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-w", "--workload"}, paramLabel = "NAME", defaultValue = "",
            completionCandidates = KernelWorkloads.class,
            description = "Workload to run (a boot argument for the guest). The built-in kernel's:"
                    + " ${COMPLETION-CANDIDATES} (guest-images/WORKLOADS.md). Default: the kernel's default, wss.")
    String workload;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "64M", converter = ByteSizeConverter.class,
            description = "Guest RAM: bytes or with K, M, G, T (powers of 1024), a multiple of 4K from 4M to 64G."
                    + " Default: ${DEFAULT-VALUE}.")
    long memoryBytes;

    @Option(names = {"-a", "--arg"}, paramLabel = "KEY=VALUE", converter = BootArgConverter.class,
            description = "A boot argument for the workload, like wss=128M or write-ratio=0.5. Repeatable.")
    List<Map.Entry<String, String>> args = List.of();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed for every pseudo-random choice the guest makes. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--image", paramLabel = "FILE",
            description = "Boot this guest image instead of the built-in kernel (see guest-images/GUIDE.md).")
    Path image;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "Format of --image: auto (ELF only), elf, or flat (raw code loaded at 0x100000 and"
                    + " entered at its first byte). Default: auto.")
    ImageFormat format;

    MachineConfig machineConfig(boolean countInstructions, DsbOptions dsb) {
        return machineConfig(spec.commandLine(), memoryBytes, workload, dsb.appendTo(args), seed, countInstructions);
    }

    /** Maps guest options onto a config; duplicate arguments and out-of-range sizes are usage errors. */
    static MachineConfig machineConfig(CommandLine commandLine, long memoryBytes, String workload,
                                       List<Map.Entry<String, String>> args, long seed, boolean countInstructions) {
        Map<String, String> bootArgs = new LinkedHashMap<>();
        for (Map.Entry<String, String> arg : args) {
            if (bootArgs.putIfAbsent(arg.getKey(), arg.getValue()) != null) {
                throw new CommandLine.ParameterException(commandLine, "--arg " + arg.getKey() + " is given twice");
            }
        }
        try {
            return new MachineConfig(memoryBytes, new BootArgs(workload, bootArgs, seed), countInstructions);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }

    GuestImage guestImage() {
        if (image == null) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--format")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format applies only to --image");
            }
            return builtInKernel();
        }
        return loadImage(image, format);
    }

    /** Reads and loads a user's image; an unreadable file is a usage error, as is an invalid image. */
    static GuestImage loadImage(Path image, ImageFormat format) {
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

    static GuestImage builtInKernel() {
        return ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    }

    String imageLabel() {
        return image == null ? BUILT_IN_KERNEL : image.toString();
    }

    /** The built-in kernel reports an unknown workload by exit status; that is a usage error here. */
    void rejectUnknownWorkload(RunReport report) {
        if (image == null && report.outcome() instanceof GuestOutcome.Halted halted
                && halted.status() == KERNEL_EXIT_UNKNOWN_WORKLOAD) {
            String known = report.console().lines().filter(line -> line.contains("unknown workload")).findFirst()
                    .orElse("unknown workload '" + workload + "'");
            throw new UserInputException(known.replaceFirst("^boot: ", ""));
        }
    }
}
