package org.migrationlab.migration.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.pages.SentView;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;
import org.migrationlab.migration.precopy.stop.StopPolicy;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackMigration;

/**
 * A loaded policy that throws, answers a page outside the guest or never returns does not break a
 * migration: the engine falls back to the built-in policy, says so in the report and once in the notices,
 * and the guest ends exactly as its unmigrated run. Without the guard these migrations fail.
 */
@Timeout(60)
class LoadedPolicyFallbackIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(8L << 20, "wss", 21, "wss=4M",
            "pattern=random", "passes=750");
    private static LoopbackMigration.Reference reference;

    /** A prepaging strategy that works for a while, then throws. */
    public static final class ThrowsAfterAWhile implements PrepageStrategy {
        private long calls;

        @Override
        public void onFault(long page) {
        }

        @Override
        public long next(SentView sent) {
            if (++calls > 100) {
                throw new IllegalStateException("page table on fire");
            }
            return sent.nextUnsent(0);
        }

        @Override
        public boolean sweepsWhenIdle() {
            return true;
        }
    }

    /** A stop policy that throws on its first call. */
    public static final class ThrowingStop implements StopPolicy {
        @Override
        public Decision afterRound(RoundReport round) {
            throw new ArithmeticException("/ by zero");
        }
    }

    record Case(String name, MigrationConfig migration, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        MigrationConfig postcopy = MigrationConfig.defaults(MigrationMode.POSTCOPY);
        MigrationConfig precopy = MigrationConfig.defaults(MigrationMode.PRECOPY);
        return Stream.of(
                new Case("prepage that throws", postcopy.withLoaded(prepage(ThrowsAfterAWhile.class)),
                        "next() threw java.lang.IllegalStateException: page table on fire"),
                new Case("prepage out of range", postcopy.withLoaded(prepage(GuardedPoliciesTest.OutOfRange.class)),
                        "outside the guest's pages"),
                new Case("prepage that never returns", postcopy.withLoaded(
                        prepage(GuardedPoliciesTest.NeverReturns.class)), "did not return within 100 ms"),
                new Case("stop policy that throws", precopy.withLoaded(stop(ThrowingStop.class)),
                        "afterRound(round 0) threw java.lang.ArithmeticException"),
                new Case("stop policy that never returns", precopy.withLoaded(
                        stop(GuardedPoliciesTest.NeverReturns.class)), "did not return within 100 ms"));
    }

    private static LoadedPolicies prepage(Class<? extends PrepageStrategy> type) {
        return LoadedPolicies.NONE.withCallTimeoutMillis(100)
                .withPrepage(PolicyLoader.load(type.getName(), PrepageStrategy.class));
    }

    private static LoadedPolicies stop(Class<? extends StopPolicy> type) {
        return LoadedPolicies.NONE.withCallTimeoutMillis(100)
                .withStop(PolicyLoader.load(type.getName(), StopPolicy.class));
    }

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theEngineFallsBackAndTheGuestEndsAsItsUnmigratedRun(Case c) throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        MigrationConfig migration = c.migration().withLoaded(c.migration().loaded().withNotices(notices::add));
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST, migration,
                reference.finalProgress() / 4, LoopbackMigration.Options.heldAt(reference));
        MigrationReport report = result.report();

        assertThat(report.error()).as("error").isNull();
        assertThat(report.completed()).as("completed").isTrue();
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        assertThat(result.destination()).as("the oracle").isEqualTo(reference.outcome());
        String policy = c.migration().mode() == MigrationMode.PRECOPY ? report.scheme().stopPolicy()
                : report.scheme().prepage();
        assertThat(policy).as("the report names the fallback").contains(c.expected(), "fell back to the built-in");
        assertThat(notices).as("told once").singleElement().asString().contains(c.expected());
    }
}
