package org.migrationlab.migration.precopy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.SteppedGuest;

/**
 * Each stop policy's own decision ends pre-copy, after the number of rounds its rule gives, and
 * auto-converge's throttle rises round by round while the guest's progress rate falls with it. The guest
 * is {@linkplain SteppedGuest stepped}: it stands still while a round sends and runs two sweeps of its
 * 4 MiB range (every page of it dirty) just before each harvest, for as many rounds as the case wants, so
 * each round's dirty set, and with it each decision, is the same on any machine under any load. The
 * downtime target is 1 ms: a round that dirtied 4 MiB can never fit it (sending them takes longer), a
 * round that dirtied nothing always does. Every migrated guest ends exactly as the unmigrated run, after
 * progress at the destination.
 */
@Tag("serial") // run alone: each policy's decision depends on the guest's dirtying rate against the link's
@ExtendWith(NoLeaks.class)
@Timeout(180)
class StopPolicyDecisionIT {
    /**
     * 1024 pages of range, 4096 pages of RAM. 100 sweeps (102,400 units): the stepped guest runs only STEP
     * units a round, so even 30 rounds (the most any case allows) end at 64,512, whatever the load.
     */
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "incrementer", 61, "range=4M",
            "sweeps=100");
    private static final long RANGE_PAGES = 1024;
    private static final long GUEST_PAGES = 4096;
    /** Two sweeps: every page of the range written at least once after it was last sent. */
    private static final long STEP = 2 * RANGE_PAGES;
    private static final long START_AT = 3 * RANGE_PAGES;
    private static final long TARGET_MILLIS = 1;

    /**
     * For auto-converge: 64 pages of range, so that sending a round's dirty pages takes little time beside
     * the guest's running (a million increments a round), which is what the throttle slows.
     */
    private static final MachineConfig BUSY_GUEST = LoopbackMigration.config(16L << 20, "incrementer", 62,
            "range=256K", "sweeps=130000");
    private static final long BUSY_STEP = 16_384 * 64;

    private static LoopbackMigration.Reference reference;
    private static LoopbackMigration.Reference busyReference;

    @BeforeAll
    static void unmigratedRuns() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
        busyReference = LoopbackMigration.reference(BUSY_GUEST);
    }

    @Test
    void theDowntimePolicySwitchesOverInTheFirstRoundWhoseDirtyPagesFitTheTarget() throws Exception {
        MigrationReport report = migrate("downtime", new PrecopyLimits(30, 60, 20), SteppedGuest.runs(STEP, 3));
        assertThat(report.scheme().switchReason()).isEqualTo("expected downtime 0.00 ms <= target 1.00 ms");
        assertThat(rounds(report)).as("rounds 0..2 dirtied the range, round 3 nothing").hasSize(4);
        assertThat(rounds(report).subList(0, 3)).allSatisfy(r -> assertThat(r.dirtyPages())
                .isGreaterThanOrEqualTo(RANGE_PAGES));
        assertThat(rounds(report).getLast().dirtyPages()).isZero();
    }

    @Test
    void theDowntimePolicyStopsAtTheRoundCapWhileTheGuestKeepsDirtying() throws Exception {
        MigrationReport report = migrate("downtime", new PrecopyLimits(6, 60, 20), SteppedGuest.runs(STEP, 99));
        assertThat(report.scheme().switchReason())
                .startsWith("round cap: 5 live rounds done, stop-and-copy is round 6 of at most 6")
                .contains("still above target 1.00 ms");
        assertThat(rounds(report)).hasSize(5);
        assertThat(report.convergence().cpuThrottlePercentage()).as("only auto-converge throttles").isZero();
    }

    @Test
    void theXenPolicyStopsOnceItSentMoreThanThreeTimesTheGuest() throws Exception {
        MigrationReport report = migrate("xen", new PrecopyLimits(30, 60, 20), SteppedGuest.runs(STEP, 99));
        List<MigrationReport.PrecopyRound> rounds = rounds(report);
        long total = rounds.stream().mapToLong(MigrationReport.PrecopyRound::pages).sum();
        long beforeLast = total - rounds.getLast().pages();
        assertThat(report.scheme().switchReason()).isEqualTo("sent cap: " + total + " pages sent > 3 x "
                + GUEST_PAGES + " guest pages");
        assertThat(beforeLast).as("the round before did not reach the cap").isLessThanOrEqualTo(3 * GUEST_PAGES);
        assertThat(rounds).as("round 0 sends the guest, each later one its range and a few more")
                .hasSizeBetween(7, 9);
    }

    @Test
    void theXenPolicySwitchesOverOnceFewerThanFiftyPagesAreDirty() throws Exception {
        MigrationReport report = migrate("xen", new PrecopyLimits(30, 60, 20), SteppedGuest.runs(STEP, 2));
        assertThat(report.scheme().switchReason()).isEqualTo("converged: 0 dirty pages < 50");
        assertThat(rounds(report)).hasSize(3);
    }

    @Test
    void autoConvergeRaisesTheThrottleEveryTwoHighRoundsAndTheGuestSlowsWithIt() throws Exception {
        MigrationReport report = migrate(BUSY_GUEST, busyReference, "auto-converge", new PrecopyLimits(8, 60, 20),
                SteppedGuest.runs(BUSY_STEP, 99));
        List<MigrationReport.PrecopyRound> rounds = rounds(report);
        assertThat(report.scheme().switchReason()).startsWith("round cap: 7 live rounds done");
        // Round 0 sends all 4096 pages and dirties ~64 (not high); every later round is high (dirty ≈ sent):
        // rounds 1 and 2 raise it to 60 % for round 3, rounds 3 and 4 to 80 % for round 5.
        assertThat(rounds).extracting(MigrationReport.PrecopyRound::cpuThrottlePercentage)
                .containsExactly(0, 0, 0, 60, 60, 80, 80);
        assertThat(report.convergence().cpuThrottlePercentage()).isEqualTo(80);
        double unthrottled = Math.min(rounds.get(1).progressRate(), rounds.get(2).progressRate());
        double at60 = Math.max(rounds.get(3).progressRate(), rounds.get(4).progressRate());
        double at80 = Math.max(rounds.get(5).progressRate(), rounds.get(6).progressRate());
        assertThat(at60).as("progress per second at 60 %% against none").isLessThan(unthrottled);
        assertThat(at80).as("progress per second at 80 %% against 60 %%").isLessThan(at60);
    }

    private static List<MigrationReport.PrecopyRound> rounds(MigrationReport report) {
        return report.convergence().rounds();
    }

    private static MigrationReport migrate(String policy, PrecopyLimits limits, IntToLongFunction steps)
            throws Exception {
        return migrate(GUEST, reference, policy, limits, steps);
    }

    private static MigrationReport migrate(MachineConfig guest, LoopbackMigration.Reference unmigrated, String policy,
                                           PrecopyLimits limits, IntToLongFunction steps) throws Exception {
        MigrationConfig config = new MigrationConfig(MigrationMode.PRECOPY, policy, "bubble", false, TARGET_MILLIS,
                DirtyLogMode.DIRTY_BIT, false, true, limits);
        SteppedGuest[] stepped = new SteppedGuest[1];
        LoopbackMigration.Result result = LoopbackMigration.migrate(guest, config, START_AT,
                LoopbackMigration.Options.defaults().withSourceMachines(m -> stepped[0] = new SteppedGuest(m, steps)));
        MigrationReport report = result.report();
        System.out.println(policy + ": " + report.scheme().switchReason());
        rounds(report).forEach(r -> System.out.println("  " + r));
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(stepped[0].harvests()).as("one harvest per round").isEqualTo(rounds(report).size());
        assertThat(report.convergence().dirtySyncCount()).isEqualTo(rounds(report).size());
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        assertThat(result.destination()).as("the oracle").isEqualTo(unmigrated.outcome());
        return report;
    }
}
