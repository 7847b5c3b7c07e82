package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.DowntimeBreakdown;
import org.migrationlab.migration.report.FaultLatencyBreakdown;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackMigration;

/**
 * The downtime explains itself: each stage of the breakdown was measured where it happened (the destination's
 * receive, restore and resume are its own figures, carried in RESUMED), and the stages add up to the downtime.
 * So does post-copy's fault latency: the destination's stages (in FAULT_STAGES) beside the source's serving.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class DowntimeBreakdownIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(8L << 20, "wss", 41, "wss=4M",
            "pattern=random", "passes=400");

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    @ParameterizedTest
    @EnumSource(MigrationMode.class)
    void everyStageIsMeasuredAndTheyAddUpToTheDowntime(MigrationMode mode) throws Exception {
        LoopbackMigration.Reference reference = MigrationOracleIT.reference(GUEST);
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST, MigrationConfig.defaults(mode),
                reference.finalProgress() / 4);
        MigrationReport report = result.report();
        assertThat(report.completed()).as("completed: %s", report.error()).isTrue();
        assertThat(result.destination()).isEqualTo(reference.outcome());

        DowntimeBreakdown parts = report.timing().downtimeBreakdown();
        assertThat(parts).as("downtime-breakdown").isNotNull();
        // Each of these does real work (stopping a vCPU, capturing and restoring its state, encrypting and
        // decoding records, starting a thread's emulation): none can take no time at all.
        assertThat(parts.captureMs()).as("state-capture").isPositive();
        assertThat(parts.sendMs()).as("send (less what the destination's stages overlapped)").isNotNegative();
        assertThat(parts.receiveMs()).as("receive (the destination's figure)").isPositive();
        assertThat(parts.restoreMs()).as("restore (the destination's figure)").isPositive();
        assertThat(parts.resumeMs()).as("resume (the destination's figure)").isPositive();
        assertThat(parts.pauseMs()).as("pause").isNotNegative();
        assertThat(parts.durableMs()).as("no state directory: no durable writes in the send").isZero();
        assertThat(parts.networkMs()).as("network").isNotNegative();
        double downtime = report.timing().downtimeMs();
        if (parts.networkMs() > 0 || parts.sendMs() > 0) {
            assertThat(parts.downtimeMs()).as("stages summed").isCloseTo(downtime, within(1e-3));
        } else {
            // the destination's stages overlapped the whole send: they may add up to more, never to less
            assertThat(parts.downtimeMs()).as("stages summed").isBetween(downtime - 1e-3,
                    downtime + parts.receiveMs() + parts.restoreMs() + parts.resumeMs());
        }
    }

    @Test
    void everyFaultStageIsMeasuredOnTheSideWhereItHappens() throws Exception {
        LoopbackMigration.Reference reference = MigrationOracleIT.reference(GUEST);
        // Demand paging alone: every network fault is then served by the source. With push, a request can
        // find its page already on the way, which the source rightly does not count as serving; on a loaded
        // machine every sampled fault could be such a one, and the source's stage would be 0.
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST,
                MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("none"), reference.finalProgress() / 4);
        MigrationReport report = result.report();
        assertThat(report.completed()).as("completed: %s", report.error()).isTrue();
        assertThat(result.destination()).isEqualTo(reference.outcome());
        assertThat(report.faults().network().count()).as("network faults").isPositive();

        FaultLatencyBreakdown breakdown = report.faults().breakdown();
        assertThat(breakdown).as("fault-latency-breakdown").isNotNull();
        assertThat(breakdown.sampled()).as("sampled").isPositive()
                .isLessThanOrEqualTo(report.faults().network().count());
        for (FaultLatencyBreakdown.Stages stages : new FaultLatencyBreakdown.Stages[] {breakdown.p50(), breakdown.p99()}) {
            // Writing a request, encoding and sealing a page, copying it into RAM and waking a thread are real
            // work on each side: none takes no time at all.
            assertThat(stages.request()).as("request (destination)").isPositive();
            assertThat(stages.source()).as("source (the source's serving)").isPositive();
            assertThat(stages.network()).as("network").isNotNegative();
            assertThat(stages.install()).as("install (destination)").isPositive();
            assertThat(stages.resume()).as("resume (destination)").isPositive();
        }
        assertThat(breakdown.p99().total()).as("p99 stages beside p50 stages").isGreaterThanOrEqualTo(
                breakdown.p50().total());
    }
}
