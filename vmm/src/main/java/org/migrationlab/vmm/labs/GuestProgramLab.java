package org.migrationlab.vmm.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.MigrationConfig;

/**
 * Lab 1: a guest program of one's own against the guest ABI, migrated. The checker builds {@code src/*.c}
 * with the project's guest recipe ({@code guest-images/build-guest}), runs it unmigrated (it must halt with
 * status 0, print, and report enough progress for a migration to start halfway), then migrates it post-copy
 * halfway through and compares it with the unmigrated run.
 */
public record GuestProgramLab() implements Lab {
    /** Enough progress that halfway is a point in a running guest, and the migration has work to do. */
    static final long MIN_PROGRESS = 10_000;
    static final long BUILD_TIMEOUT_SECONDS = 120;
    static final MachineConfig MACHINE = new MachineConfig(16L << 20, new BootArgs("", Map.of(), 1), false);

    @Override
    public int number() {
        return 1;
    }

    @Override
    public String title() {
        return "a guest program against the guest ABI, migrated";
    }

    @Override
    public String folderName() {
        return "lab1-guest";
    }

    @Override
    public List<Check> check(Path folder) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        GuestImage image = build(folder, checks);
        if (image == null) {
            return checks;
        }
        RunReport reference = LabRig.reference(MACHINE, image, "your guest");
        boolean halted = reference.outcome() instanceof GuestOutcome.Halted ended && ended.status() == 0;
        String end = reference.outcome() instanceof GuestOutcome.Halted halt
                ? "it halted with status " + halt.status() + ", result " + Long.toHexString(halt.result())
                : "it ended as: " + reference.outcome().word();
        checks.add(Check.of("halts with status 0", halted, end));
        checks.add(Check.of("prints", !reference.console().isBlank(), reference.console().isBlank()
                ? "the console stayed empty: print a line with guest_write"
                : reference.console().lines().count() + " console lines, the first: "
                        + reference.console().lines().findFirst().orElse("")));
        long progress = reference.progress().progress();
        checks.add(Check.of("reports progress", progress >= MIN_PROGRESS, progress + " units of progress"
                + " (counter 0), at least " + MIN_PROGRESS + " needed: report the work with"
                + " guest_counter_add(GUEST_COUNTER_PROGRESS, n), or the migration cannot start halfway"));
        if (!halted || progress < MIN_PROGRESS) {
            return checks;
        }
        InProcessMigration.Outcome migrated;
        try {
            migrated = LabRig.migrate(MACHINE, image, MigrationConfig.defaults(MigrationMode.POSTCOPY),
                    LabRig.link(0), progress / 2);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            checks.add(Check.fail("migrates", "the migration failed: " + e.getMessage()));
            return checks;
        }
        boolean live = !migrated.report().scheme().guestEndedBeforeSwitchOver();
        checks.add(Check.of("live guest", live, live ? "migrated post-copy at progress " + progress / 2 + ", with "
                + migrated.report().faults().network().count() + " network faults"
                : "the guest had ended before the switch-over: give it more work"));
        List<String> differences = LabRig.differences(reference, migrated);
        checks.add(differences.isEmpty()
                ? Check.pass("oracle", "the migrated guest ended exactly as its unmigrated run (result "
                        + Long.toHexString(migrated.destinationExit().result()) + ")")
                : Check.fail("oracle", String.join("; ", differences)));
        return checks;
    }

    /** The guest built from src/, or null after the failed check that says why. */
    private static GuestImage build(Path folder, List<Check> checks) throws InterruptedException {
        Path recipe = recipe(folder);
        if (recipe == null) {
            checks.add(Check.fail("builds", "guest-images/build-guest not found above " + folder.toAbsolutePath()
                    + " or the working directory: run the check from the repository"));
            return null;
        }
        List<String> sources;
        try (Stream<Path> files = Files.list(folder.resolve("src"))) {
            sources = files.filter(f -> f.toString().endsWith(".c") || f.toString().endsWith(".S"))
                    .map(Path::toString).sorted().toList();
        } catch (IOException e) {
            checks.add(Check.fail("builds", "cannot read " + folder.resolve("src") + ": " + e.getMessage()));
            return null;
        }
        if (sources.isEmpty()) {
            checks.add(Check.fail("builds", "no .c or .S file in " + folder.resolve("src")));
            return null;
        }
        try {
            Path elf = Files.createTempFile("lab1-guest", ".elf");
            elf.toFile().deleteOnExit();
            List<String> command = new ArrayList<>(List.of(recipe.toString(), "-o", elf.toString()));
            command.addAll(sources);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                checks.add(Check.fail("builds", "build-guest took over " + BUILD_TIMEOUT_SECONDS + " s"));
                return null;
            }
            String messages = new String(output, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                checks.add(Check.fail("builds", "build-guest says:\n      "
                        + String.join("\n      ", messages.lines().limit(20).toList())));
                return null;
            }
            GuestImage image = ImageLoader.load(elf.getFileName().toString(), Files.readAllBytes(elf), ImageFormat.ELF);
            checks.add(Check.pass("builds", "built with guest-images/build-guest"));
            return image;
        } catch (IOException | IllegalArgumentException e) {
            checks.add(Check.fail("builds", e.getMessage()));
            return null;
        }
    }

    /** build-guest, looked for above the student's folder, then above the working directory. */
    private static Path recipe(Path folder) {
        for (Path start : List.of(folder.toAbsolutePath(), Path.of("").toAbsolutePath())) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve("guest-images").resolve("build-guest");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
