package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.MachineDecorator;
import org.migrationlab.migration.testing.RunIntervals;
import org.migrationlab.migration.testing.RunIntervals.Side;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Split brain never: at every instant at most one end runs the guest. Each end's machines record the intervals
 * in which their vCPU may have run ({@link RunIntervals}, supersets of the real ones), through a plain
 * post-copy migration, a post-copy link broken and recovered, a link silent past the peer timeout, a pre-copy
 * link broken (the guest runs on at the source) and a destination that dies in post-copy and proves it
 * (the source rolls back): no source interval ever meets a destination interval, and the guest still ends as
 * its unmigrated run.
 */
@Timeout(120)
class OneRunningCopyIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(32L << 20, "wss", 31, "wss=24M",
            "pattern=seq", "write-ratio=1", "passes=150");
    private static final TransportConfig TRANSPORT = TransportConfig.of(LoopbackMigration.SECRET);
    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    private static LoopbackMigration.Result migrate(RunIntervals runs, MigrationMode mode, String plan,
                                                    List<String> log) throws Exception {
        return migrate(runs, mode, plan, log, TRANSPORT);
    }

    private static LoopbackMigration.Result migrate(RunIntervals runs, MigrationMode mode, String plan,
                                                    List<String> log, TransportConfig transport) throws Exception {
        LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                .withTransports(transport, transport)
                .withSourceMachines(runs.watch(Side.SOURCE)).withDestinationMachines(runs.watch(Side.DESTINATION));
        if (plan != null) {
            options = options.withFaults(FaultPlan.parse(plan), log::add);
        }
        return LoopbackMigration.migrate(GUEST, MigrationConfig.defaults(mode), reference.finalProgress() / 4,
                options);
    }

    private static void assertOneRunningCopy(RunIntervals runs, String what) {
        System.out.println(what + ": " + runs.intervals());
        assertThat(runs.intervals(Side.SOURCE)).as("%s: the source ran", what).isNotEmpty();
        assertThat(runs.intervals()).as("%s: every interval closed", what)
                .allSatisfy(interval -> assertThat(interval.closed()).isNotNull());
        assertThat(runs.overlaps()).as("%s: intervals in which both ends ran", what).isEmpty();
    }

    @Test
    void aPostcopyMigrationHandsTheGuestOverOnce() throws Exception {
        RunIntervals runs = new RunIntervals();
        LoopbackMigration.Result result = migrate(runs, MigrationMode.POSTCOPY, null, List.of());

        assertThat(result.report().completed()).as(result.report().error()).isTrue();
        assertThat(result.destination()).isEqualTo(reference.outcome());
        assertOneRunningCopy(runs, "post-copy");
        assertThat(runs.intervals(Side.SOURCE)).singleElement()
                .satisfies(i -> assertThat(i.closed()).isEqualTo("freeze"));
        assertThat(runs.intervals(Side.DESTINATION)).singleElement()
                .satisfies(i -> assertThat(i.opened()).isEqualTo("start"));
    }

    @Test
    void aPostcopyLinkBrokenAndRecoveredNeverRunsTheGuestTwice() throws Exception {
        RunIntervals runs = new RunIntervals();
        List<String> log = new CopyOnWriteArrayList<>();
        LoopbackMigration.Result result = migrate(runs, MigrationMode.POSTCOPY, "close bulk at postcopy 30%", log);

        assertThat(log).anyMatch(line -> line.startsWith("fault fired: close bulk"));
        assertThat(result.report().completed()).as(result.report().error()).isTrue();
        assertThat(result.report().recovery().recoveries()).isPositive();
        assertThat(result.destination()).isEqualTo(reference.outcome());
        assertOneRunningCopy(runs, "post-copy, bulk closed");
        assertThat(runs.intervals(Side.SOURCE)).as("the source never resumed").hasSize(1);
    }

    @Test
    void aHybridLinkSilentPastThePeerTimeoutNeverRunsTheGuestTwice() throws Exception {
        RunIntervals runs = new RunIntervals();
        List<String> log = new CopyOnWriteArrayList<>();
        // Silent for twice a peer timeout of a second (the default is 3 s), which the test waits out.
        LoopbackMigration.Result result = migrate(runs, MigrationMode.HYBRID, "silence bulk at postcopy 20% for 2s",
                log, TRANSPORT.withPeerTimeout(1_000));

        assertThat(log).anyMatch(line -> line.startsWith("fault fired: silence bulk"));
        assertThat(result.report().completed()).as(result.report().error()).isTrue();
        assertThat(result.destination()).isEqualTo(reference.outcome());
        assertOneRunningCopy(runs, "hybrid, bulk silent 2 s");
        assertThat(runs.intervals(Side.SOURCE)).as("the source never resumed").hasSize(1);
    }

    @Test
    void aPrecopyLinkBrokenLeavesTheGuestToTheSourceAlone() throws Exception {
        RunIntervals runs = new RunIntervals();
        List<String> log = new CopyOnWriteArrayList<>();
        LoopbackMigration.Result result = migrate(runs, MigrationMode.PRECOPY, "close bulk at precopy 30%", log);

        assertThat(log).anyMatch(line -> line.startsWith("fault fired: close bulk"));
        assertThat(result.report().completed()).isFalse();
        assertThat(result.source()).isEqualTo(reference.outcome());
        assertOneRunningCopy(runs, "pre-copy, bulk closed");
        assertThat(runs.intervals(Side.DESTINATION)).as("the destination never started the guest").isEmpty();
    }

    @Test
    void aDestinationThatDiesInPostcopyStopsBeforeTheSourceResumes() throws Exception {
        RunIntervals runs = new RunIntervals();
        MachineDecorator destinationMachines = new MachineDecorator(LoopbackMigration.MACHINES,
                runs.watch(Side.DESTINATION));
        long killedAt;
        LoopbackMigration.Result result;
        // The dead process's vCPU stops with it.
        try (DyingDestination destination = new DyingDestination(TRANSPORT, destinationMachines,
                () -> runs.kill(Side.DESTINATION))) {
            LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                    .withSourceMachines(runs.watch(Side.SOURCE))
                    .withFaults(FaultPlan.parse("kill destination at postcopy 40%"),
                            destination.faultLog(true, (id, phase, owner) -> { }));
            result = LoopbackMigration.migrateTo(destination.address(), destination.incoming(), GUEST,
                    MigrationConfig.defaults(MigrationMode.POSTCOPY).withRecoverTimeout(30_000),
                    reference.finalProgress() / 4, options);
            killedAt = destination.killedAtNanos();
        }

        MigrationReport report = result.report();
        assertThat(report.status()).as(report.error()).isEqualTo(MigrationReport.ROLLED_BACK);
        assertThat(result.source()).isEqualTo(reference.outcome());
        assertOneRunningCopy(runs, "destination killed in post-copy");
        List<RunIntervals.Interval> source = runs.intervals(Side.SOURCE);
        assertThat(source).as("run, frozen at the switch-over, resumed after the rollback").hasSize(2);
        assertThat(source.get(1).opened()).isEqualTo("resume");
        assertThat(source.get(1).from()).as("the source resumed after the kill").isGreaterThan(killedAt);
        // Torn down with its connections (the guest's end completes then) or by the kill itself.
        assertThat(runs.intervals(Side.DESTINATION)).singleElement()
                .satisfies(i -> assertThat(i.to()).as("stopped before the source resumed")
                        .isLessThan(source.get(1).from()));
    }
}
