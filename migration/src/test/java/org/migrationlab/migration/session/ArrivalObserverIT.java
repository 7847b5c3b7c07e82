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
 * A destination's observer (what its live view draws) hears of every post-copy page once, and of exactly
 * the network faults the report counts; the guest ends as an unmigrated run.
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
        LongAdder arrived = new LongAdder();
        LongAdder fetched = new LongAdder();
        LongAdder touched = new LongAdder();
        ArrivalObserver counter = new ArrivalObserver() {
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
        };
        TransportConfig transport = TransportConfig.of(LoopbackMigration.SECRET);
        CompletableFuture<DestinationSession> incoming = new CompletableFuture<>();
        Destinations destinations = new Destinations(LoopbackMigration.MACHINES, 1, 1L << 34,
                transport.replyTimeoutMillis(), incoming::complete);
        destinations.observeArrivals(id -> counter);
        LoopbackMigration.Result result;
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), transport,
                destinations::resolve)) {
            result = LoopbackMigration.migrateTo(server.address(), incoming, GUEST,
                    MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("none"),
                    reference.finalProgress() / 4, transport);
        }
        MigrationReport report = result.report();

        assertThat(report.completed()).as("completed: %s", report.error()).isTrue();
        assertThat(arrived.sum()).as("pages arrived").isEqualTo(report.pages().guestPages());
        assertThat(fetched.sum()).as("network faults").isPositive()
                .isEqualTo(report.faults().network().count());
        assertThat(touched.sum()).as("minor faults").isGreaterThanOrEqualTo(report.faults().network().minor());
        assertThat(result.destination()).isEqualTo(reference.outcome());
    }
}
