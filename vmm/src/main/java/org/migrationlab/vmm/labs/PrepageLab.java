package org.migrationlab.vmm.labs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.policy.LoadedPolicies;
import org.migrationlab.migration.policy.LoadedPolicy;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.MigrationConfig;

/**
 * Lab 2: a prepaging strategy that beats push-only. A guest sweeps its working set in order; it is moved
 * post-copy over a link with a latency, once with the built-in "push" (pages in address order) and once with the
 * student's {@code MyPrepage}; the student's must cost clearly fewer network faults, with no fallback and
 * the guest ending exactly as its unmigrated run.
 */
public record PrepageLab() implements Lab {
    static final String CLASS_NAME = "MyPrepage";
    /** The student's faults must be under this share of push-only's. */
    static final double MAX_SHARE_OF_PUSH = 0.6;
    /**
     * A link with a latency and no bandwidth cap: a fault costs a round trip while pushed pages stream, so
     * what is pushed first decides how often the guest waits. Push-only starts at page 0, far behind a guest
     * sweeping a working set that fills most of its RAM.
     */
    static final long LINK_LATENCY_NANOS = 300_000;
    static final MachineConfig GUEST = new MachineConfig(32L << 20, new BootArgs("wss",
            Map.of("wss", "28M", "pattern", "seq", "write-ratio", "0.5", "passes", "150"), 2), false);

    @Override
    public int number() {
        return 2;
    }

    @Override
    public String title() {
        return "a prepaging policy that beats push-only";
    }

    @Override
    public String folderName() {
        return "lab2-prepage";
    }

    @Override
    public List<Check> check(Path folder) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        LoadedPolicy<PrepageStrategy> loaded = StudentClasses.load(folder, CLASS_NAME, PrepageStrategy.class, checks);
        if (loaded == null) {
            return checks;
        }
        GuestImage kernel = LabRig.kernel();
        RunReport reference = LabRig.reference(GUEST, kernel, "built-in kernel");
        long startAt = reference.progress().progress() / 4;
        List<String> notices = new CopyOnWriteArrayList<>();
        MigrationConfig push = MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("push");
        MigrationConfig yours = push.withLoaded(LoadedPolicies.NONE.withPrepage(loaded).withNotices(notices::add));
        InProcessMigration.Outcome pushOnly;
        InProcessMigration.Outcome student;
        try {
            pushOnly = LabRig.migrate(GUEST, kernel, push, LabRig.link(0, LINK_LATENCY_NANOS), startAt);
            student = LabRig.migrate(GUEST, kernel, yours, LabRig.link(0, LINK_LATENCY_NANOS), startAt);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            checks.add(Check.fail("migrates", "the migration failed: " + e.getMessage()));
            return checks;
        }
        boolean live = !pushOnly.report().scheme().guestEndedBeforeSwitchOver()
                && !student.report().scheme().guestEndedBeforeSwitchOver();
        checks.add(Check.of("live guest", live, live ? "both migrations moved a running guest"
                : "a guest ended before the switch-over (this machine is slow or busy): run the check again"));
        checks.add(notices.isEmpty()
                ? Check.pass("no fallback", "the engine used " + CLASS_NAME + " for the whole migration")
                : Check.fail("no fallback", notices.getFirst()));
        List<String> differences = LabRig.differences(reference, student);
        checks.add(differences.isEmpty()
                ? Check.pass("oracle", "the migrated guest ended exactly as its unmigrated run (result, status,"
                        + " memory hash)")
                : Check.fail("oracle", String.join("; ", differences)));
        long yoursFaults = student.report().faults().network().count();
        long pushFaults = pushOnly.report().faults().network().count();
        double share = pushFaults == 0 ? Double.NaN : (double) yoursFaults / pushFaults;
        String figures = String.format(Locale.ROOT, "network faults: yours %d, push-only %d (%s of push-only;"
                        + " needed: under %.0f %%); pages pushed %d, prepaged %d, demanded %d", yoursFaults, pushFaults,
                Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", share * 100),
                MAX_SHARE_OF_PUSH * 100, student.report().pages().byKind().getOrDefault("push", 0L),
                student.report().pages().byKind().getOrDefault("prepage", 0L),
                student.report().pages().byKind().getOrDefault("demand", 0L));
        checks.add(Check.of("beats push-only", pushFaults > 0 && yoursFaults < pushFaults * MAX_SHARE_OF_PUSH,
                figures));
        return checks;
    }
}
