package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategies;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackMigration;

/**
 * PROTOCOL §5.2 on real sockets: in post-copy every page crosses the network exactly once, whether it
 * goes by demand, push or prepaging, for each prepaging strategy, with page requests on their own
 * connection or sharing the bulk one. The guest touches its whole working set in random order right
 * after the switch-over, so demand faults race with the pushes.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class PostcopyExactlyOnceIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(8L << 20, "wss", 41, "wss=4M", "pattern=random",
            "passes=500");

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    record Case(String prepage, boolean urgentChannel) {
        MigrationConfig migration() {
            return MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage(prepage).withUrgentChannel(urgentChannel);
        }

        @Override
        public String toString() {
            return "prepage " + prepage + (urgentChannel ? ", urgent channel" : ", requests on the bulk channel");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String prepage : PrepageStrategies.names()) {
            cases.add(new Case(prepage, true));
            cases.add(new Case(prepage, false));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyPageIsSentExactlyOnce(Case c) throws Exception {
        LoopbackMigration.Reference reference = MigrationOracleIT.reference(GUEST);
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST, c.migration(), reference.finalProgress() / 4);
        MigrationReport report = result.report();

        assertThat(report.completed()).as("completed: %s", report.error()).isTrue();
        assertThat(report.pages().resentPages()).as("resent-pages").isZero();
        assertThat(report.transfer().duplicatePages() + report.transfer().normalPages()).as("duplicate + normal")
                .isEqualTo(report.pages().guestPages()).isEqualTo(GUEST.ramBytes() / 4096);
        assertThat(report.pages().byKind().get("push") + report.pages().byKind().get("prepage")
                + report.pages().byKind().get("demand")).as("push + prepage + demand").isEqualTo(report.pages().guestPages());
        assertThat(report.phases().postcopyRequests()).as("page requests (some for pages already on their way)")
                .isGreaterThanOrEqualTo(report.pages().byKind().get("demand"));
        if (c.prepage().equals("none")) {
            assertThat(report.pages().byKind().get("demand")).as("demand-only post-copy serves faults").isPositive();
        }
        assertThat(result.destination()).isEqualTo(reference.outcome());
    }
}
