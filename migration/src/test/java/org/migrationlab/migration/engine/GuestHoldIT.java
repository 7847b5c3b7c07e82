package org.migrationlab.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The source's hold ({@code --hold-at}, {@link OutgoingMigration.Request#holdAt}): the guest parks at the hold
 * point until the migration is over. Caught live over a slow link, it runs on at the destination and ends as the
 * unmigrated run; when the migration fails it runs on here to the same end; the report says where it was held.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class GuestHoldIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "incrementer", 91, "range=2M",
            "sweeps=200");
    /** Slow enough that the first round alone takes most of a second. */
    private static final long BANDWIDTH_BITS = 20_000_000;

    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void unmigratedRun() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    @Test
    void aHeldGuestIsMigratedLiveAndRunsOnAtTheDestination() throws Exception {
        TransportConfig link = TransportConfig.of(LoopbackMigration.SECRET).withLink(BANDWIDTH_BITS, 0);
        long holdAt = reference.holdPoint();
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST,
                MigrationConfig.defaults(MigrationMode.PRECOPY), reference.finalProgress() / 4,
                LoopbackMigration.Options.defaults().withTransports(link, link).withHoldAt(holdAt));

        MigrationReport report = result.report();
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(report.progress().heldAt()).as("where the source parked the guest")
                .isBetween(holdAt, reference.finalProgress() - 1);
        assertThat(result.haltedBeforeSwitchOver()).as("a live guest was migrated").isFalse();
        assertThat(result.progressAfterSwitchOver()).as("progress made at the destination").isPositive();
        assertThat(result.destination()).isEqualTo(reference.outcome());
    }

    @Test
    void aFailedMigrationLetsTheHeldGuestRunOnHere() throws Exception {
        // The hold point is the trigger's: the guest parks as the migration starts, which then fails at the
        // handshake (the destination has another secret). Unless the hold is lifted, the guest never ends.
        long start = reference.finalProgress() / 4;
        TransportConfig other = TransportConfig.of("another-secret-of-32-bytes-000000".getBytes(StandardCharsets.UTF_8));
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST,
                MigrationConfig.defaults(MigrationMode.PRECOPY), start, LoopbackMigration.Options.defaults()
                        .withTransports(TransportConfig.of(LoopbackMigration.SECRET), other).withHoldAt(start));

        MigrationReport report = result.report();
        assertThat(report.completed()).isFalse();
        assertThat(report.progress().heldAt()).as("parked at once, as the migration started").isGreaterThanOrEqualTo(start);
        assertThat(result.source()).as("the guest's end on the source").isEqualTo(reference.outcome());
        assertThat(result.finalProgress()).isEqualTo(reference.finalProgress());
    }
}
