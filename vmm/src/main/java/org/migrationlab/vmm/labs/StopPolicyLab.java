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
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.policy.LoadedPolicies;
import org.migrationlab.migration.policy.LoadedPolicy;
import org.migrationlab.migration.precopy.stop.StopPolicy;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.MigrationConfig;

/**
 * Lab 3: a stop policy that meets a downtime target on a guest that writes faster than the link drains.
 * The guest is moved pre-copy with the student's {@code MyStopPolicy}; what the stop-and-copy sent must go
 * out on the link within the target, the policy itself must have decided (not the round cap, not a
 * fallback), and the guest must end exactly as its unmigrated run.
 */
public record StopPolicyLab() implements Lab {
    static final String CLASS_NAME = "MyStopPolicy";
    static final long TARGET_MILLIS = 50;
    static final long LINK_BITS_PER_SECOND = 1_000_000_000;
    static final MachineConfig GUEST = new MachineConfig(32L << 20, new BootArgs("wss",
            Map.of("wss", "16M", "write-ratio", "0.2", "passes", "6000"), 3), false);

    @Override
    public int number() {
        return 3;
    }

    @Override
    public String title() {
        return "a stop policy for a " + TARGET_MILLIS + " ms downtime on a write-heavy guest";
    }

    @Override
    public String folderName() {
        return "lab3-stop-policy";
    }

    /**
     * Judged on what the policy could know: the pages the last live round left dirty, at the rate that round
     * measured on the link (the engine's expected downtime, not the policy's own claim). The stop-and-copy
     * and the measured downtime are shown beside it; on a loaded machine they depend on the machine too.
     */
    private static Check downtime(MigrationReport report) {
        List<MigrationReport.PrecopyRound> rounds = report.convergence().rounds();
        if (rounds.isEmpty()) {
            return Check.fail("downtime target", "no pre-copy round was reported");
        }
        MigrationReport.PrecopyRound last = rounds.getLast();
        double bitsPerSecond = last.mbps() * 1e6;
        double expectedMillis = last.dirtyPages() == 0 ? 0
                : bitsPerSecond > 0 ? last.dirtyPages() * GuestMemory.PAGE_SIZE * 8.0 / bitsPerSecond * 1e3
                : Double.POSITIVE_INFINITY;
        long stopAndCopyPages = report.pages().byKind().getOrDefault("stop-and-copy", 0L);
        return Check.of("downtime target", expectedMillis <= TARGET_MILLIS, String.format(Locale.ROOT,
                "expected downtime %.1f ms at the switch-over (round %d left %d pages dirty, its link rate %.0f"
                        + " Mbit/s), target %d ms; the stop-and-copy sent %d pages, measured downtime %.1f ms;"
                        + " %d rounds, %.1f MiB sent for a %d MiB guest, throttle at the end %d %%",
                expectedMillis, last.round(), last.dirtyPages(), last.mbps(), TARGET_MILLIS, stopAndCopyPages,
                report.timing().downtimeMs(), report.convergence().dirtySyncCount(),
                report.transfer().transferredBytes() / 1048576.0, GUEST.ramBytes() >> 20,
                report.convergence().cpuThrottlePercentage()));
    }

    @Override
    public List<Check> check(Path folder) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        LoadedPolicy<StopPolicy> loaded = StudentClasses.load(folder, CLASS_NAME, StopPolicy.class, checks);
        if (loaded == null) {
            return checks;
        }
        GuestImage kernel = LabRig.kernel();
        RunReport reference = LabRig.kernelReference(GUEST);
        long startAt = reference.progress().progress() / 50;
        List<String> notices = new CopyOnWriteArrayList<>();
        // The built-in fallback has the same target, so a policy that fails is told from one that misses it.
        MigrationConfig migration = MigrationConfig.defaults(MigrationMode.PRECOPY).withStopPolicy("downtime")
                .withDowntimeTarget(TARGET_MILLIS)
                .withLoaded(LoadedPolicies.NONE.withStop(loaded).withNotices(notices::add));
        InProcessMigration.Outcome student;
        try {
            student = LabRig.migrate(GUEST, kernel, migration, LabRig.link(LINK_BITS_PER_SECOND), startAt);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            checks.add(Check.fail("migrates", "the migration failed: " + e.getMessage()));
            return checks;
        }
        MigrationReport report = student.report();
        boolean live = !report.scheme().guestEndedBeforeSwitchOver();
        checks.add(Check.of("live guest", live, live ? "a running guest was moved"
                : "the guest ended before the switch-over: your policy copied for too long"));
        checks.add(notices.isEmpty()
                ? Check.pass("no fallback", "the engine used " + CLASS_NAME + " after every round")
                : Check.fail("no fallback", notices.getFirst()));
        List<String> differences = LabRig.differences(reference, student);
        checks.add(differences.isEmpty()
                ? Check.pass("oracle", "the migrated guest ended exactly as its unmigrated run (result, status,"
                        + " memory hash)")
                : Check.fail("oracle", String.join("; ", differences)));
        String reason = report.scheme().switchReason();
        boolean capped = reason.startsWith("round cap");
        checks.add(Check.of("the policy decided", !capped && notices.isEmpty(), capped
                ? "the round cap switched over, not your policy: " + reason
                : "it switched over after round " + (report.convergence().dirtySyncCount() - 1) + ": " + reason));
        checks.add(downtime(report));
        return checks;
    }
}
