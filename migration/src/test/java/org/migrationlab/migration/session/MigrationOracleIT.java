package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategies;
import org.migrationlab.migration.precopy.stop.StopPolicies;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The oracle (docs/ARCHITECTURE.md, "The oracle"): a guest migrated mid-run ends byte-identical (result, status, console, memory
 * hash, and final progress) to an unmigrated run of the same seed — for every scheme with each of its
 * policies, on workloads that use memory differently (random writes over a working set, QEMU's
 * incrementer, a key-value store fed by a device), and over emulated links. Both ends in this JVM over
 * loopback. Post-copy also sends every page exactly once, and hybrid sends in post-copy only what round 0
 * saw dirtied; stop-and-copy sends every page once, all while the guest is paused.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class MigrationOracleIT {
    /** A guest and when to start migrating it (a share of its unmigrated run's progress). */
    record Workload(String name, MachineConfig config, double startAt) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One migration: the guest, the scheme and its policies, and the link. */
    record Case(Workload workload, MigrationConfig migration, String link, TransportConfig transport) {
        Case(Workload workload, MigrationConfig migration) {
            this(workload, migration, "", TransportConfig.of(LoopbackMigration.SECRET));
        }

        @Override
        public String toString() {
            String policy = switch (migration.mode()) {
                case PRECOPY -> "stop policy " + migration.stopPolicy();
                case POSTCOPY, HYBRID -> "prepage " + migration.prepage();
                case STOP_AND_COPY -> "no live round";
            };
            return workload + ", " + migration.mode().label() + ", " + policy
                    + (migration.urgentChannel() ? "" : ", no urgent channel") + (link.isEmpty() ? "" : ", " + link);
        }
    }

    static final long RAM = 8L << 20;
    // Runs of well under a second: the source guest is held short of its end until the switch-over, so a
    // short run cannot end before it, and the guest still writes while round 0 is sent.
    static final Workload WSS = new Workload("wss",
            LoopbackMigration.config(RAM, "wss", 11, "wss=4M", "pattern=random", "passes=1000"), 0.25);
    static final Workload INCREMENTER = new Workload("incrementer",
            LoopbackMigration.config(RAM, "incrementer", 12, "range=2M", "sweeps=2500"), 0.25);
    static final Workload KVSTORE = new Workload("kvstore",
            LoopbackMigration.config(RAM, "kvstore", 13, "requests=20000"), 0.25);
    private static final Map<MachineConfig, LoopbackMigration.Reference> REFERENCES = new ConcurrentHashMap<>();
    private static final long MBIT = 1_000_000;

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    /**
     * Every workload × every stop policy; post-copy and hybrid with each prepaging strategy once, the
     * workload turning with the strategy so that each mode meets every workload. (The strategies' orders
     * are unit-tested; here what matters is that each one, in each mode, leaves the guest identical.)
     */
    static Stream<Case> schemes() {
        List<Workload> workloads = List.of(WSS, INCREMENTER, KVSTORE);
        List<Case> cases = new ArrayList<>();
        for (Workload workload : workloads) {
            for (String policy : StopPolicies.names()) {
                cases.add(new Case(workload, MigrationConfig.defaults(MigrationMode.PRECOPY).withStopPolicy(policy)));
            }
        }
        List<MigrationMode> modes = List.of(MigrationMode.POSTCOPY, MigrationMode.HYBRID);
        List<String> strategies = PrepageStrategies.names();
        for (int m = 0; m < modes.size(); m++) {
            for (int s = 0; s < strategies.size(); s++) {
                Workload workload = workloads.get((s + m) % workloads.size());
                cases.add(new Case(workload, MigrationConfig.defaults(modes.get(m)).withPrepage(strategies.get(s))));
            }
        }
        for (Workload workload : workloads) {
            cases.add(new Case(workload, MigrationConfig.defaults(MigrationMode.STOP_AND_COPY)));
        }
        return cases.stream();
    }

    /** Some of the same over a slow or distant link, and with page requests on the bulk connection. */
    static Stream<Case> variants() {
        TransportConfig plain = TransportConfig.of(LoopbackMigration.SECRET);
        TransportConfig slow = plain.withLink(200 * MBIT, 0);
        TransportConfig distant = plain.withLink(0, 200_000);
        MigrationConfig precopy = MigrationConfig.defaults(MigrationMode.PRECOPY);
        MigrationConfig postcopy = MigrationConfig.defaults(MigrationMode.POSTCOPY);
        MigrationConfig hybrid = MigrationConfig.defaults(MigrationMode.HYBRID);
        return Stream.of(
                new Case(WSS, precopy, "200 Mbit/s", slow),
                new Case(WSS, hybrid, "200 Mbit/s", slow),
                new Case(WSS, postcopy, "200 µs one way", distant),
                new Case(KVSTORE, hybrid, "200 µs one way", distant),
                new Case(WSS, hybrid.withUrgentChannel(false)),
                new Case(KVSTORE, hybrid.withPrepage("multi-pivot").withUrgentChannel(false)),
                new Case(WSS, hybrid.withUrgentChannel(false), "200 µs one way", distant));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void migratedRunEndsByteIdenticalToUnmigratedRun(Case c) throws Exception {
        check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void migratedRunEndsByteIdenticalOverEmulatedLinksAndWithoutUrgentChannel(Case c) throws Exception {
        check(c);
    }

    static LoopbackMigration.Reference reference(MachineConfig config) {
        return REFERENCES.computeIfAbsent(config, LoopbackMigration::reference);
    }

    private static void check(Case c) throws Exception {
        LoopbackMigration.Reference reference = reference(c.workload().config());
        long startAt = (long) (reference.finalProgress() * c.workload().startAt());
        long start = System.nanoTime();
        LoopbackMigration.Result result = LoopbackMigration.migrate(c.workload().config(), c.migration(), startAt,
                LoopbackMigration.Options.heldAt(reference).withTransports(c.transport(), c.transport()));
        MigrationReport report = result.report();
        System.out.printf("%s: %.0f ms, migration started at progress %d of %d%n%s%n", c, (System.nanoTime() - start) / 1e6,
                result.progressAtStart(), reference.finalProgress(), ReportJson.render(report));

        assertThat(report.error()).as("error").isNull();
        assertThat(report.completed()).as("completed").isTrue();
        assertThat(result.progressAtStart()).as("progress when the migration began")
                .isGreaterThanOrEqualTo(startAt).isLessThan(result.finalProgress());
        assertThat(result.haltedBeforeSwitchOver()).as("the guest had already ended on the source at the switch-over")
                .isFalse();
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        assertThat(result.destination()).isEqualTo(reference.outcome());
        assertThat(result.finalProgress()).isEqualTo(reference.finalProgress());
        assertPagesSentOnceAfterSwitchOver(report, c.migration().mode());
    }

    /** PROTOCOL §5.2: after the switch-over every page still to come is sent exactly once. */
    static void assertPagesSentOnceAfterSwitchOver(MigrationReport report, MigrationMode mode) {
        Map<String, Long> kinds = report.pages().byKind();
        long postcopyPages = kinds.get("push") + kinds.get("prepage") + kinds.get("demand");
        switch (mode) {
            case PRECOPY -> assertThat(postcopyPages).as("pages sent after a pre-copy switch-over").isZero();
            case POSTCOPY -> {
                assertThat(report.pages().resentPages()).as("resent-pages").isZero();
                assertThat(report.transfer().pagesSent()).as("duplicate + normal").isEqualTo(report.pages().guestPages());
                assertThat(postcopyPages).as("push + prepage + demand").isEqualTo(report.pages().guestPages());
            }
            case HYBRID -> {
                assertThat(kinds.get("precopy-round-0")).as("round 0 sends every page").isEqualTo(report.pages().guestPages());
                assertThat(kinds).as("one pre-copy round only").doesNotContainKey("precopy-round-1");
                assertThat(report.pages().resentPages()).as("resent-pages: each page dirtied in round 0, once")
                        .isEqualTo(postcopyPages);
                assertThat(report.transfer().pagesSent()).as("duplicate + normal")
                        .isEqualTo(report.pages().guestPages() + postcopyPages);
            }
            case STOP_AND_COPY -> {
                assertThat(report.convergence().rounds()).as("no live round").isEmpty();
                assertThat(report.pages().resentPages()).as("resent-pages").isZero();
                assertThat(kinds.get("stop-and-copy")).as("every page, once, while paused")
                        .isEqualTo(report.pages().guestPages()).isEqualTo(report.transfer().pagesSent());
                assertThat(postcopyPages).as("pages sent after the switch-over").isZero();
            }
        }
    }
}
