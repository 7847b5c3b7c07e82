package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A self-ballooning guest whose driver inflates while post-copy is still bringing pages over: a kcompile
 * guest migrated at a quarter of its work over a 1 Gbit/s link with 50 µs of latency. The evaluation found
 * its migrated guest crashing at the destination ("inflate of page 1452, which is absent"); it must end as
 * the unmigrated run did.
 */
@Timeout(120)
class InflationDuringPostcopyIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(32L << 20, "kcompile", 1, "objects=2048",
            "ops=60000", "dsb-interval=10ms", "dsb=on");

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    @Test
    void theMigratedGuestEndsAsTheUnmigratedOne() throws Exception {
        LoopbackMigration.Reference reference = LoopbackMigration.reference(GUEST);
        TransportConfig link = TransportConfig.of(LoopbackMigration.SECRET).withLink(1_000_000_000L, 50_000);
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST,
                MigrationConfig.defaults(MigrationMode.POSTCOPY), reference.finalProgress() / 4, link, link);
        MigrationReport report = result.report();
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(result.destination()).as("destination failure: %s", result.destinationFailure()).isNotNull();
        assertThat(result.destination().result()).isEqualTo(reference.outcome().result());
        assertThat(result.destination().status()).isEqualTo(reference.outcome().status());
    }
}
