package org.migrationlab.migration.precopy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Auto-converge really throttles: a write-heavy guest (it rewrites a fifth of the words of a 32 MiB working
 * set, sweep after sweep, faster than a 1 Gbit/s link drains them) never gets its expected downtime under
 * a 75 ms target with the plain downtime policy — it switches over at the round cap — but does under
 * auto-converge, whose throttle slows the vCPU until the dirty rate falls below what the link carries.
 * Both migrated guests end exactly as the unmigrated run.
 */
@Timeout(240)
class AutoConvergeIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(64L << 20, "wss", 1, "wss=32M",
            "write-ratio=0.2", "passes=6000");
    /**
     * 16 rounds in all; auto-converge steps 60 → 80 → 99 %, two high rounds per step (QEMU's rule). With 12,
     * a sealed stream on a quiet machine once converged in the very last round, which the test cannot tell
     * from the cap: four more leave room to see that it converged by itself, and the guest runs twice as
     * long (6,000 passes) so that it still runs at the downtime policy's later cap.
     */
    private static final PrecopyLimits LIMITS = new PrecopyLimits(16, 60, 20);
    private static final long TARGET_MILLIS = 75;
    private static ResourceLeakDetector.Level leakLevel;

    /**
     * Convergence depends on the link's real throughput, and paranoid leak tracking (a stack trace at every
     * buffer access, which the other tests keep on) cuts it several times; it is off for this test only.
     */
    @BeforeAll
    static void measureTheLinkAsUsersHaveIt() throws Exception {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        LoopbackMigration.warmUp();
    }

    @AfterAll
    static void restoreLeakTracking() {
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void aGuestThatNeverConvergesUnderTheDowntimePolicyConvergesUnderAutoConverge() throws Exception {
        LoopbackMigration.Reference reference = LoopbackMigration.reference(GUEST);
        long startAt = reference.finalProgress() / 50;

        LoopbackMigration.Result plain = migrate("downtime", startAt);
        MigrationReport downtime = plain.report();
        assertThat(downtime.completed()).as(downtime.error()).isTrue();
        assertThat(downtime.scheme().switchReason()).as("the downtime policy never got its downtime")
                .startsWith("round cap").contains("still above target 75.00 ms");
        assertThat(downtime.convergence().dirtySyncCount()).isEqualTo(LIMITS.maxRounds() - 1);
        assertThat(downtime.convergence().cpuThrottlePercentage()).isZero();
        assertThat(downtime.scheme().guestEndedBeforeSwitchOver()).as("a live guest was migrated").isFalse();
        assertThat(plain.destination()).isEqualTo(reference.outcome());

        LoopbackMigration.Result throttled = migrate("auto-converge", startAt);
        MigrationReport autoConverge = throttled.report();
        assertThat(autoConverge.completed()).as(autoConverge.error()).isTrue();
        assertThat(autoConverge.scheme().switchReason()).as("auto-converge reached the target")
                .contains("<= target 75.00 ms").doesNotContain("round cap");
        assertThat(autoConverge.convergence().dirtySyncCount()).isLessThan(LIMITS.maxRounds() - 1);
        assertThat(autoConverge.convergence().cpuThrottlePercentage()).as("cpu-throttle-percentage")
                .isGreaterThanOrEqualTo(LIMITS.throttleInitialPercent());
        assertThat(autoConverge.scheme().guestEndedBeforeSwitchOver()).as("a live guest was migrated").isFalse();
        assertThat(throttled.progressAtReport()).isGreaterThan(throttled.progressAtStart());
        assertThat(throttled.destination()).isEqualTo(reference.outcome());
        // The throttle slowed the guest while pre-copy ran: less progress per second than without it.
        assertThat(autoConverge.progress().during()).isLessThan(downtime.progress().during());
    }

    private static LoopbackMigration.Result migrate(String policy, long startAt) throws Exception {
        TransportConfig link = TransportConfig.of(LoopbackMigration.SECRET).withLink(1_000_000_000L, 0);
        MigrationConfig config = new MigrationConfig(MigrationMode.PRECOPY, policy, "bubble", false, TARGET_MILLIS,
                DirtyLogMode.DIRTY_BIT, false, true, LIMITS);
        return LoopbackMigration.migrate(GUEST, config, startAt, link, link);
    }
}
