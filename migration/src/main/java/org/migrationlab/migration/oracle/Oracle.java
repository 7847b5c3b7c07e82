package org.migrationlab.migration.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.engine.LocalRun;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;

/**
 * Runs the unmigrated reference of a guest and compares a migrated guest's end with it: outcome, result,
 * status, memory hash and console, each compared as a value.
 */
public final class Oracle {
    private Oracle() {
    }

    /**
     * Boots the guest on a fresh machine, runs it here to its end, and reports it: the run the migrated
     * guest must match. Console lines go to {@code consoleLines} as the guest prints them.
     */
    public static RunReport referenceRun(GuestFactory machines, MachineConfig config, GuestImage image,
                                         String imageLabel, Consumer<String> consoleLines) throws InterruptedException {
        return LocalRun.run(machines, config, image, imageLabel, new LocalRun.Observer() {
            @Override
            public void booted(Migratable guest) {
                guest.echoConsole(consoleLines);
            }
        });
    }

    /** Compares the migrated guest's end, as its destination reported it, with the unmigrated run's. */
    public static Verdict compare(RunReport unmigrated, DestinationReport migrated) {
        Objects.requireNonNull(unmigrated, "unmigrated");
        Objects.requireNonNull(migrated, "migrated");
        List<String> differences = new ArrayList<>();
        compare(differences, "outcome", unmigrated.outcome().word(), migrated.outcome().word());
        if (unmigrated.outcome() instanceof GuestOutcome.Halted expected
                && migrated.outcome() instanceof GuestOutcome.Halted actual) {
            compare(differences, "result", hex(expected.result()), hex(actual.result()));
            compare(differences, "status", expected.status(), actual.status());
        } else {
            compare(differences, "end", unmigrated.outcome(), migrated.outcome());
        }
        compare(differences, "memory hash", GuestSummary.hex(unmigrated.memoryHash()),
                migrated.memoryHash().isPresent() ? GuestSummary.hex(migrated.memoryHash().getAsLong()) : "none");
        if (!unmigrated.console().equals(migrated.console())) {
            differences.add("console: " + lineCount(migrated.console()) + " lines migrated, "
                    + lineCount(unmigrated.console()) + " unmigrated, first difference at line "
                    + firstDifferentLine(migrated.console(), unmigrated.console()));
        }
        if (!differences.isEmpty()) {
            return new Verdict(Verdict.Finding.DIFFERS, differences);
        }
        String end = unmigrated.outcome() instanceof GuestOutcome.Halted h
                ? "result " + hex(h.result()) + ", status " + h.status() : unmigrated.outcome().word();
        return new Verdict(Verdict.Finding.IDENTICAL, List.of(end + ", memory hash "
                + GuestSummary.hex(unmigrated.memoryHash()) + " and a console of " + lineCount(unmigrated.console())
                + " lines, as in the unmigrated run"));
    }

    private static void compare(List<String> differences, String what, Object unmigrated, Object migrated) {
        if (!Objects.equals(unmigrated, migrated)) {
            differences.add(what + ": migrated " + migrated + ", unmigrated " + unmigrated);
        }
    }

    private static String hex(long value) {
        return String.format(Locale.ROOT, "0x%016x", value);
    }

    private static long lineCount(String text) {
        return text.lines().count();
    }

    private static long firstDifferentLine(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        int i = 0;
        while (i < x.size() && i < y.size() && x.get(i).equals(y.get(i))) {
            i++;
        }
        return i + 1;
    }
}
