package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.progress.ArrivalObserver;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A destination's observer (what its live view draws) hears of the guest's size, of every page sent before
 * the switch-over, of every page pending at it, of every post-copy page once, and of exactly the network
 * faults the report counts; the guest ends as an unmigrated run.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ArrivalObserverIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(8L << 20, "wss", 43, "wss=4M", "pattern=random",
            "passes=1500");

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    @Test
    void theObserverSeesEveryPostcopyPageAndEveryNetworkFault() throws Exception {
        LoopbackMigration.Reference reference = MigrationOracleIT.reference(GUEST);
        Counting counter = new Counting();
        LoopbackMigration.Result result = migrate(reference, MigrationConfig.defaults(MigrationMode.POSTCOPY)
                .withPrepage("none"), counter);
        MigrationReport report = result.report();

        assertThat(report.completed()).as("completed: %s", report.error()).isTrue();
        assertThat(counter.guests.sum()).as("guests built").isEqualTo(1);
        assertThat(counter.guestPages.sum()).as("the guest's size").isEqualTo(report.pages().guestPages());
        assertThat(counter.copied.sum()).as("pages before the switch-over").isZero();
        assertThat(counter.pending.sum()).as("pages pending at the switch-over").isEqualTo(report.pages().guestPages());
        assertThat(counter.arrived.sum()).as("pages arrived").isEqualTo(report.pages().guestPages());
        assertThat(counter.fetched.sum()).as("network faults").isPositive()
                .isEqualTo(report.faults().network().count());
        assertThat(counter.touched.sum()).as("minor faults").isGreaterThanOrEqualTo(report.faults().network().minor());
        assertThat(result.destination()).isEqualTo(reference.outcome());
    }

    /** Hybrid: every page sent before the switch-over is copied once per send; the rest arrive after it. */
    @Test
    void theObserverSeesEveryPageCopiedBeforeTheSwitchOver() throws Exception {
        LoopbackMigration.Reference reference = MigrationOracleIT.reference(GUEST);
        Counting counter = new Counting();
        LoopbackMigration.Result result = migrate(reference, MigrationConfig.defaults(MigrationMode.HYBRID)
                .withPrepage("none"), counter);
        MigrationReport report = result.report();

        assertThat(report.completed()).as("completed: %s", report.error()).isTrue();
        assertThat(counter.guests.sum()).as("guests built").isEqualTo(1);
        assertThat(counter.guestPages.sum()).as("the guest's size").isEqualTo(report.pages().guestPages());
        long beforeSwitchOver = report.pages().byKind().entrySet().stream()
                .filter(e -> e.getKey().startsWith("precopy-round-") || e.getKey().equals("stop-and-copy"))
                .mapToLong(java.util.Map.Entry::getValue).sum();
        long afterSwitchOver = report.pages().byKind().entrySet().stream()
                .filter(e -> e.getKey().equals("push") || e.getKey().equals("prepage") || e.getKey().equals("demand"))
                .mapToLong(java.util.Map.Entry::getValue).sum();
        assertThat(counter.copied.sum()).as("pages copied before the switch-over").isPositive()
                .isEqualTo(beforeSwitchOver);
        assertThat(counter.pending.sum()).as("pages pending at it").isPositive().isEqualTo(afterSwitchOver);
        assertThat(counter.arrived.sum()).as("pages arrived after it").isEqualTo(afterSwitchOver);
        assertThat(result.destination()).isEqualTo(reference.outcome());
    }

    private static LoopbackMigration.Result migrate(LoopbackMigration.Reference reference, MigrationConfig migration,
                                                    ArrivalObserver observer) throws Exception {
        TransportConfig transport = TransportConfig.of(LoopbackMigration.SECRET);
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        Destinations destinations = new Destinations(LoopbackMigration.MACHINES, 1, 1L << 34,
                transport.replyTimeoutMillis(), incoming::complete);
        destinations.observeArrivals(id -> observer);
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), transport,
                destinations::resolve)) {
            return LoopbackMigration.migrateTo(server.address(), incoming, GUEST, migration,
                    reference.finalProgress() / 4, transport);
        }
    }

    /** Counts each call (sums the guest's page counts, so that a second guest would show). */
    private static final class Counting implements ArrivalObserver {
        final LongAdder guests = new LongAdder();
        final LongAdder guestPages = new LongAdder();
        final LongAdder copied = new LongAdder();
        final LongAdder pending = new LongAdder();
        final LongAdder arrived = new LongAdder();
        final LongAdder fetched = new LongAdder();
        final LongAdder touched = new LongAdder();

        @Override
        public void guest(long pageCount) {
            guests.increment();
            guestPages.add(pageCount);
        }

        @Override
        public void copied(long page) {
            copied.increment();
        }

        @Override
        public void pending(long page) {
            pending.increment();
        }

        @Override
        public void arrived(long page) {
            arrived.increment();
        }

        @Override
        public void awaiting(long page) {
        }

        @Override
        public void fetched(long page, long latencyNanos) {
            fetched.increment();
        }

        @Override
        public void touched(long page) {
            touched.increment();
        }
    }
}
