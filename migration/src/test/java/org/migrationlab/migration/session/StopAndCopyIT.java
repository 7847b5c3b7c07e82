package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.testing.LoopbackMigration;

/**
 * Stop-and-copy, the baseline without a live round: the source runs the guest through the set-up only,
 * pauses it at READY and sends every page not ballooned while it is paused, then its state. The migrated
 * guest ends exactly as the unmigrated run (result, console, memory hash, final progress); the report shows
 * no round and no dirty-log sync, and every page's bytes in the downtime: before the pause only the
 * handshakes and GUEST_CONFIG went out, not one page's worth. (Ballooned pages are left out as in every
 * mode: {@code SelfBallooningMigrationIT}'s stop-and-copy case.)
 */
@ExtendWith(NoLeaks.class)
@Timeout(90)
class StopAndCopyIT {
    /** 4096 pages; the incrementer rewrites the first 1024 sweep after sweep, so they hold data when sent. */
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "incrementer", 63, "range=4M",
            "sweeps=1500");

    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void unmigratedRun() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    @Test
    void aLiveGuestIsPausedAtTheSwitchOverAndEveryPageGoesOutWhileItIsPaused() throws Exception {
        MigrationConfig config = MigrationConfig.defaults(MigrationMode.STOP_AND_COPY);
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST, config, reference.finalProgress() / 4,
                LoopbackMigration.Options.heldAt(reference));
        MigrationReport report = result.report();
        System.out.println(ReportJson.render(report));

        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(result.haltedBeforeSwitchOver()).as("the guest had ended before the switch-over").isFalse();
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        assertThat(result.destination()).as("the oracle").isEqualTo(reference.outcome());
        assertThat(result.finalProgress()).isEqualTo(reference.finalProgress());

        MigrationReport.Scheme scheme = report.scheme();
        assertThat(scheme.mode()).isEqualTo("stop-and-copy");
        assertThat(scheme.switchReason()).isEqualTo("stop-and-copy: no live round");
        assertThat(scheme.stopPolicy()).isEqualTo("n/a");
        assertThat(scheme.prepage()).isEqualTo("n/a");
        assertThat(report.convergence().rounds()).as("precopy-rounds").isEmpty();
        assertThat(report.convergence().dirtySyncCount()).as("dirty-sync-count").isZero();
        assertThat(report.convergence().dirtyLogFaults()).as("no dirty logging ran").isZero();

        Map<String, Long> kinds = report.pages().byKind();
        long guestPages = report.pages().guestPages();
        MigrationReport.Transfer transfer = report.transfer();
        assertThat(guestPages).isEqualTo(GUEST.ramBytes() / GuestMemory.PAGE_SIZE);
        assertThat(transfer.pagesSent()).as("pages sent (duplicate + normal): every page not ballooned, once")
                .isEqualTo(guestPages - report.balloon().savedPages())
                .isEqualTo(kinds.get("stop-and-copy"));
        assertThat(report.pages().resentPages()).as("resent-pages").isZero();
        assertThat(transfer.normalPages()).as("the range and the kernel hold data").isGreaterThanOrEqualTo(1024);
        assertThat(kinds).allSatisfy((kind, pages) -> {
            if (!kind.equals("stop-and-copy")) {
                assertThat(pages).as(kind).isZero();
            }
        });
        assertThat(report.phases().postcopyRequests()).isZero();

        MigrationReport.Phases phases = report.phases();
        assertThat(phases.precopyBytes()).as("bytes before the pause: the set-up's records, not one page")
                .isLessThan(GuestMemory.PAGE_SIZE);
        assertThat(phases.downtimeBytes()).as("every page's data went out in the downtime")
                .isGreaterThanOrEqualTo(transfer.normalBytes());
        assertThat(phases.postcopyBytes()).as("nothing but control records after the resume")
                .isLessThan(GuestMemory.PAGE_SIZE);
        assertThat(report.timing().downtimeMs()).isPositive();
    }
}
