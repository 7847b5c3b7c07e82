package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.SteppedGuest;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Compression and the emulated link each leave their mark on a migration, not only an identical guest:
 * compression shrinks the bytes on the wire (the incrementer's 1024 pages of range hold one non-zero byte
 * each, so they deflate to almost nothing); a bandwidth cap makes the migration take at least its bytes'
 * time on that link; a one-way latency makes every demand fault of post-copy wait at least a round trip.
 * Pre-copy cases step the source guest ({@link SteppedGuest}), the post-copy case parks it short of its end,
 * so a live guest is migrated in each; each ends exactly as the unmigrated run.
 */
@ExtendWith(NoLeaks.class)
@Timeout(180)
class LinkEffectsIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "incrementer", 71, "range=4M",
            "sweeps=300");
    /** A few pages and many sweeps: a post-copy guest with a small working set, so few demand faults. */
    private static final MachineConfig SMALL_GUEST = LoopbackMigration.config(8L << 20, "incrementer", 72,
            "range=32K", "sweeps=200000");
    private static final long START_AT = 4096;
    private static final long BANDWIDTH_BITS = 20_000_000;
    private static final long LATENCY_NANOS = 10_000_000;

    private static LoopbackMigration.Reference reference;
    private static LoopbackMigration.Reference smallReference;

    @BeforeAll
    static void unmigratedRuns() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
        smallReference = LoopbackMigration.reference(SMALL_GUEST);
    }

    @Test
    void compressionShrinksTheBytesOnTheWire() throws Exception {
        MigrationReport plain = precopy(false, TransportConfig.of(LoopbackMigration.SECRET)).report();
        MigrationReport deflated = precopy(true, TransportConfig.of(LoopbackMigration.SECRET)).report();
        assertThat(deflated.transfer().normalPages()).as("the same pages carried data")
                .isEqualTo(plain.transfer().normalPages()).isGreaterThanOrEqualTo(1024);
        assertThat(plain.transfer().normalBytes()).isEqualTo(plain.transfer().normalPages() * 4096);
        assertThat(deflated.transfer().normalBytes()).as("page data deflated")
                .isLessThan(plain.transfer().normalBytes() / 20);
        assertThat(deflated.transfer().transferredBytes()).as("bytes on the wire")
                .isLessThan(plain.transfer().transferredBytes() / 4);
    }

    @Test
    void aBandwidthCapMakesTheMigrationTakeItsBytesTime() throws Exception {
        TransportConfig link = TransportConfig.of(LoopbackMigration.SECRET).withLink(BANDWIDTH_BITS, 0);
        MigrationReport report = precopy(false, link).report();
        double floorMs = report.transfer().transferredBytes() * 8.0 / BANDWIDTH_BITS * 1000;
        assertThat(floorMs).as("more than a second's worth of bytes at 20 Mbit/s").isGreaterThan(1000);
        // The shaper lets a first slice through unpaced: allow 10 %.
        assertThat(report.timing().totalMs()).as("total time against the bytes' time on the link")
                .isGreaterThan(floorMs * 0.9);
        assertThat(report.convergence().mbps()).as("megabits per second over the migration")
                .isLessThan(BANDWIDTH_BITS / 1e6 * 1.1);
        // Each round's rate is what the stop policy divides by: it must be the link's, also for a round whose
        // pages all fit in the link's queue at once (counted on entering it, such a round looked far faster).
        // At most the link's bits in the round's time, plus one page batch (8.4 megabits) and 5 %.
        assertThat(report.convergence().rounds()).as("rounds").hasSizeGreaterThan(1)
                .allSatisfy(round -> assertThat(round.mbps() * round.timeMs() / 1000)
                        .as("megabits sent in round %d (%.1f ms)", round.round(), round.timeMs())
                        .isLessThan((BANDWIDTH_BITS / 1e6 * round.timeMs() / 1000 + 8.4) * 1.05));
    }

    @Test
    void aOneWayLatencyMakesEveryDemandFaultWaitARoundTrip() throws Exception {
        TransportConfig link = TransportConfig.of(LoopbackMigration.SECRET).withLink(0, LATENCY_NANOS);
        MigrationConfig postcopy = MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("none");
        LoopbackMigration.Result result = LoopbackMigration.migrate(SMALL_GUEST, postcopy, START_AT,
                LoopbackMigration.Options.heldAt(smallReference).withTransports(link, link));
        MigrationReport report = result.report();
        System.out.println("latency: " + report.faults());
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        assertThat(result.destination()).as("the oracle").isEqualTo(smallReference.outcome());
        assertThat(report.faults().network().count()).as("demand faults").isPositive();
        assertThat(report.faults().latency().p50Micros()).as("median fault against the 20 ms round trip")
                .isGreaterThanOrEqualTo(2 * LATENCY_NANOS / 1000.0);
    }

    private static LoopbackMigration.Result precopy(boolean compress, TransportConfig link) throws Exception {
        MigrationConfig config = new MigrationConfig(MigrationMode.PRECOPY, "downtime", "bubble", false, 300,
                DirtyLogMode.DIRTY_BIT, compress, true, PrecopyLimits.DEFAULTS);
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST, config, START_AT,
                LoopbackMigration.Options.defaults().withTransports(link, link)
                        .withSourceMachines(m -> new SteppedGuest(m, SteppedGuest.runs(2048, 1))));
        MigrationReport report = result.report();
        System.out.printf("compress %s, %s: %.0f ms, %d bytes, %d normal pages in %d bytes%n", compress, link,
                report.timing().totalMs(), report.transfer().transferredBytes(), report.transfer().normalPages(),
                report.transfer().normalBytes());
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        assertThat(result.destination()).as("the oracle").isEqualTo(reference.outcome());
        return result;
    }
}
