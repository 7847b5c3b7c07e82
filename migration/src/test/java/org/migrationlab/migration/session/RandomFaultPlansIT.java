package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.testing.TestSeed;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Seeded random fault plans ({@code seed=S random 3}: closed and silent connections, delays, corrupted pages,
 * anywhere in pre-copy, the switch-over and post-copy), each against a live guest in pre-copy, post-copy or
 * hybrid. Whatever a plan does, the guest is never lost and never runs on both sides: the migration either
 * completes with the guest ending exactly as its unmigrated run, having received no page twice, or fails
 * before the switch-over with the guest ending exactly so on the source and the destination's slot free.
 *
 * <p>{@code -Dfaults.plans=N} sets how many plans (a few in the suite; CI runs 200 with
 * {@code bin/test-faults}); the plans' seeds follow from {@code -Dmigrationlab.seed}, printed at the start,
 * so that a run can be replayed whole, and {@code -Dfaults.only=I} replays its plan I alone. A failure names
 * its plan, expanded.
 */
@ExtendWith(NoLeaks.class)
class RandomFaultPlansIT {
    static final String PLANS_PROPERTY = "faults.plans";
    /** Replays one plan of a run by its index (with the run's seed). */
    static final String ONLY_PROPERTY = "faults.only";
    private static final int DEFAULT_PLANS = 6;
    private static final List<MigrationMode> MODES = List.of(MigrationMode.PRECOPY, MigrationMode.POSTCOPY,
            MigrationMode.HYBRID);
    /** Short, so that a silence (0.1–5 s in a random plan) is found quickly: the campaign must fit in CI. */
    private static final long PEER_TIMEOUT_MILLIS = 500;
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 43, "wss=8M",
            "pattern=seq", "write-ratio=1", "passes=400");
    private static final TestSeed SEED = TestSeed.forTest("RandomFaultPlansIT");
    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    /** Plan i: its seed (from the run's seed) and its mode. */
    record Plan(int index, long seed, MigrationMode mode) {
        String text() {
            return "seed=" + seed + " random 3";
        }

        @Override
        public String toString() {
            return "plan " + index + ": " + mode.name().toLowerCase() + ", " + text();
        }
    }

    static Stream<Plan> plans() {
        int count = Integer.getInteger(PLANS_PROPERTY, DEFAULT_PLANS);
        Integer only = Integer.getInteger(ONLY_PROPERTY);
        // Plan seeds spread from the run's seed; the plan's own text carries its seed for a replay alone.
        return LongStream.range(0, count).filter(i -> only == null || i == only)
                .mapToObj(i -> new Plan((int) i, Math.floorMod(SEED.value() * 31 + i, Long.MAX_VALUE / 2) + 1,
                        MODES.get((int) (i % MODES.size()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plans")
    @Timeout(120)
    void theGuestIsNeverLostNorRunTwice(Plan plan) throws Exception {
        FaultPlan faults = FaultPlan.parse(plan.text());
        List<String> log = new CopyOnWriteArrayList<>();
        TransportConfig transport = TransportConfig.of(LoopbackMigration.SECRET).withPeerTimeout(PEER_TIMEOUT_MILLIS);
        LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                .withTransports(transport, transport)
                .withFaults(faults, log::add);
        // Read as each message is built: the fault log as it is then, not as it was before the migration.
        Described what = new Described(plan + " = " + faults.print() + " (" + SEED + ")", log);

        java.util.Set<String> vcpusBefore = LoopbackDestination.incomingVcpuThreads();
        LoopbackMigration.Result result;
        Throwable destinationFailure = null;
        boolean slotFreed;
        try (LoopbackDestination destination = new LoopbackDestination(transport, 1, 1L << 30, 60_000)) {
            CompletableFuture<DestinationSession> incoming = destination.nextSession();
            try {
                result = LoopbackMigration.migrateTo(destination.address(), incoming, GUEST,
                        MigrationConfig.defaults(plan.mode()), reference.finalProgress() / 4, options);
            } catch (AssertionError lost) {
                throw new AssertionError("the guest was lost: " + lost.getMessage() + "; " + what, lost);
            }
            DestinationSession session = incoming.get(10, TimeUnit.SECONDS);
            try {
                session.arrival().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                destinationFailure = e.getCause();
            } catch (TimeoutException e) {
                throw new AssertionError("the destination still holds the guest (paused) 30 s after the source "
                        + "ended with " + result.report().status() + ": " + result.report().error() + "; " + what, e);
            }
            destination.destinations().released(session.id()).get(30, TimeUnit.SECONDS);
            slotFreed = destination.destinations().guestsHeld() == 0;
        }
        // A guest left running at the destination (a session that never ended) is found at its own plan.
        assertThat(LoopbackDestination.vcpuThreadsLeftAfter(10_000, vcpusBefore)).as("destination vCPUs left, " + what)
                .isEmpty();

        MigrationReport report = result.report();
        System.out.printf("%s: %s%s, %d recoveries, %d lost pages resent; fault log %s%n", plan, report.status(),
                report.error() == null ? "" : " (" + report.error() + ")", report.recovery().recoveries(),
                report.recovery().lostPagesResent(), log);
        if (report.completed()) {
            assertThat(result.destination()).as("the migrated guest's end, " + what).isEqualTo(reference.outcome());
            assertThat(result.haltedBeforeSwitchOver()).as("a live guest was migrated, " + what).isFalse();
            assertThat(destinationFailure).as("the destination, " + what).isNull();
            assertPagesSentOnceAfterTheSwitchOver(report, plan.mode(), what);
        } else {
            // Failed before the switch-over reached the destination: the source kept the guest, or (SWITCH_OVER
            // sent, RESUMED never back) took it back on the destination's proof that it never ran there.
            assertThat(report.error()).as("%s", what).satisfiesAnyOf(
                    error -> assertThat(error).endsWith("(the guest keeps running on the source)"),
                    error -> assertThat(error).contains("never ran at this destination")
                            .endsWith("(rolled back: the guest runs on the source from the switch-over)"));
            assertThat(result.source()).as("the source guest's end, " + what).isEqualTo(reference.outcome());
            assertThat(result.finalProgress()).as("%s", what).isEqualTo(reference.finalProgress());
            assertThat(slotFreed).as("the destination's slot is free again, " + what).isTrue();
        }
    }

    /** A plan and the faults it fired so far, for failure messages. */
    private record Described(String plan, List<String> log) {
        @Override
        public String toString() {
            return plan + ", fault log " + log;
        }
    }

    /** After the switch-over each page goes once, plus exactly the pages a recovery found lost in flight. */
    private static void assertPagesSentOnceAfterTheSwitchOver(MigrationReport report, MigrationMode mode, Described what) {
        Map<String, Long> kinds = report.pages().byKind();
        long postcopyPages = kinds.get("push") + kinds.get("prepage") + kinds.get("demand");
        switch (mode) {
            case PRECOPY -> assertThat(postcopyPages).as("pages sent after a pre-copy switch-over, " + what).isZero();
            case POSTCOPY -> {
                assertThat(report.pages().resentPages()).as("pages sent twice, " + what).isZero();
                assertThat(report.transfer().pagesSent()).as("pages sent: every page once, and those lost, " + what)
                        .isEqualTo(report.pages().guestPages() + report.recovery().lostPagesResent());
            }
            case HYBRID -> assertThat(kinds).as("one pre-copy round only, " + what).doesNotContainKey("precopy-round-1");
        }
    }
}
