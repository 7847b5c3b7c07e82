package org.migrationlab.vmm.labs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Lab 4: break a post-copy migration with a fault plan ({@code plan.txt}) so that the engine must recover,
 * and explain what the recovery did ({@code ANSWERS.md}). The checker runs the plan and shows the recovery's
 * figures; the guest must still end exactly as its unmigrated run.
 */
public record FaultRecoveryLab() implements Lab {
    static final String PLAN_FILE = "plan.txt";
    static final String ANSWERS_FILE = "ANSWERS.md";
    /** Words an explanation of a post-copy recovery cannot do without. */
    static final List<String> KEY_WORDS = List.of("paused", "resent");
    static final int MIN_WORDS = 40;
    static final MachineConfig GUEST = new MachineConfig(16L << 20, new BootArgs("wss",
            Map.of("wss", "8M", "pattern", "random", "passes", "1500"), 4), false);

    @Override
    public int number() {
        return 4;
    }

    @Override
    public String title() {
        return "break a migration with a fault plan and explain the recovery";
    }

    @Override
    public String folderName() {
        return "lab4-faults";
    }

    @Override
    public List<Check> check(Path folder) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        FaultPlan plan = plan(folder.resolve(PLAN_FILE), checks);
        if (plan == null) {
            return checks;
        }
        GuestImage kernel = LabRig.kernel();
        RunReport reference = LabRig.kernelReference(GUEST);
        TransportConfig link = LabRig.link(0);
        InProcessMigration.Outcome migrated;
        try {
            migrated = InProcessMigration.run(org.migrationlab.balloon.device.BalloonedMachines.factory(), GUEST,
                    kernel, MigrationConfig.defaults(MigrationMode.POSTCOPY).withRecoverTimeout(60_000),
                    link.withFaults(plan), link, reference.progress().progress() / 4);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            checks.add(Check.fail("recovered", "the migration did not complete: " + e.getMessage()
                    + " (a fault before the switch-over ends the migration; post-copy recovers after it)"));
            return checks;
        }
        MigrationReport report = migrated.report();
        MigrationReport.Recovery recovery = report.recovery();
        checks.add(Check.of("recovered", recovery.recoveries() > 0, String.format(Locale.ROOT,
                "postcopy-recoveries %d, recovery-time %.1f ms, postcopy-lost-pages-resent %d, resent-pages %d,"
                        + " network faults %d%s", recovery.recoveries(), recovery.recoveryMs(),
                recovery.lostPagesResent(), report.pages().resentPages(), report.faults().network().count(),
                recovery.recoveries() > 0 ? "" : ": your plan broke nothing that needed a recovery")));
        List<String> differences = LabRig.differences(reference, migrated);
        checks.add(differences.isEmpty()
                ? Check.pass("oracle", "the migrated guest ended exactly as its unmigrated run (result, status,"
                        + " memory hash)")
                : Check.fail("oracle", String.join("; ", differences)));
        checks.add(explained(folder.resolve(ANSWERS_FILE)));
        return checks;
    }

    /** The plan in the file (lines joined by ';', '#' comments left out), or null after a failed check. */
    private static FaultPlan plan(Path file, List<Check> checks) {
        String text;
        try {
            text = Files.readAllLines(file).stream().map(line -> line.replaceFirst("#.*", "").strip())
                    .filter(line -> !line.isEmpty()).collect(Collectors.joining("; "));
        } catch (IOException e) {
            checks.add(Check.fail("plan", "cannot read " + file + ": " + e.getMessage()));
            return null;
        }
        FaultPlan plan;
        try {
            plan = FaultPlan.parse(text);
        } catch (IllegalArgumentException e) {
            checks.add(Check.fail("plan", e.getMessage()));
            return null;
        }
        if (plan.faults().isEmpty()) {
            checks.add(Check.fail("plan", PLAN_FILE + " injects no fault: write one (docs/FAULTS.md, \"Grammar\")"));
            return null;
        }
        if (!plan.kills().isEmpty()) {
            // The lab runs both sides in one process, so there is no process to kill: a kill belongs in `vmm demo`.
            checks.add(Check.fail("plan", "this lab injects network faults only; try kills with vmm demo --faults: "
                    + plan.kills()));
            return null;
        }
        checks.add(Check.pass("plan", plan.print()));
        return plan;
    }

    private static Check explained(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            return Check.fail("explained", "no " + ANSWERS_FILE + ": explain there what the recovery did");
        }
        if (text.contains("TODO")) {
            return Check.fail("explained", ANSWERS_FILE + " still says TODO");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        long words = lower.split("\\s+").length;
        List<String> missing = KEY_WORDS.stream().filter(w -> !lower.contains(w)).toList();
        if (words < MIN_WORDS || !missing.isEmpty()) {
            return Check.fail("explained", ANSWERS_FILE + " has " + words + " words (at least " + MIN_WORDS
                    + ")" + (missing.isEmpty() ? "" : " and never says " + missing));
        }
        return Check.pass("explained", words + " words; a person reads the explanation, the checker only its"
                + " shape");
    }
}
