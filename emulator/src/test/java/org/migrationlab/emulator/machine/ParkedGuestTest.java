package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.port.FrozenGuest;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * Parking (the test fixtures' way to hold a live guest at a known point, instead of racing it): a parked
 * guest runs no further while its vCPU serves every command of the port — dirty-log harvests, summaries, a
 * freeze — and, unparked, runs on and ends as if it had never stopped. A guest parked before it started
 * never runs until unparked.
 */
@Timeout(120)
class ParkedGuestTest {
    private static final Machines MACHINES = new Machines();
    private static final MachineConfig CONFIG = KernelGuests.config(16L << 20, "wss", 5, "wss=2M", "pattern=random",
            "write-ratio=0.5", "passes=200");

    @Test
    void aParkedGuestServesCommandsWithoutRunningAndEndsAsAnUnparkedOne() throws Exception {
        KernelGuests.Outcome reference = KernelGuests.referenceRun(CONFIG);
        long end = KernelGuests.referenceRunProgress(CONFIG);
        try (Migratable guest = MACHINES.boot(CONFIG, KernelGuests.kernel())) {
            guest.progressReached(end / 3).thenRun(() -> guest.park(true));
            guest.start();
            guest.startDirtyLog(DirtyLogMode.WRITE_PROTECT).get(10, TimeUnit.SECONDS);
            guest.progressReached(end / 3).get(60, TimeUnit.SECONDS);
            // Parked within a slice of the threshold; from the first harvest on nothing is written any more.
            guest.harvestDirtyLog().get(10, TimeUnit.SECONDS);
            long parkedAt = guest.summary().get(10, TimeUnit.SECONDS).progressUnits();
            assertThat(parkedAt).isGreaterThanOrEqualTo(end / 3).isLessThan(end);
            for (int i = 0; i < 5; i++) {
                PageBitmap dirty = guest.harvestDirtyLog().get(10, TimeUnit.SECONDS);
                assertThat(dirty.cardinality()).as("pages written while parked").isZero();
                assertThat(guest.summary().get(10, TimeUnit.SECONDS).progressUnits()).isEqualTo(parkedAt);
            }
            assertThat(guest.ended()).isNotDone();
            guest.park(false);
            GuestEnd ended = guest.ended().get(60, TimeUnit.SECONDS);
            GuestSummary summary = guest.summary().get(10, TimeUnit.SECONDS);
            assertThat(ended).isInstanceOf(GuestEnd.Halted.class);
            GuestEnd.Halted halt = (GuestEnd.Halted) ended;
            assertThat(new KernelGuests.Outcome(halt.result(), halt.status(), summary.console(), summary.memoryHash()))
                    .isEqualTo(reference);
            assertThat(summary.exits().get("dirty-log-fault")).as("write-protect faults before the park").isPositive();
        }
    }

    /**
     * A park asked for by a progress threshold's action, on the vCPU thread, lands at the report that reached
     * the threshold: the incrementer reports 64 pages at a time, so a threshold at a multiple of 64 is where it
     * stands, not one report further.
     */
    @Test
    void aParkAtAProgressThresholdLandsAtTheReportThatReachedIt() throws Exception {
        MachineConfig incrementer = KernelGuests.config(16L << 20, "incrementer", 3, "range=1M", "sweeps=400");
        long threshold = 200 * 64;
        try (Migratable guest = MACHINES.boot(incrementer, KernelGuests.kernel())) {
            guest.progressReached(threshold).thenRun(() -> guest.park(true));
            guest.start();
            guest.progressReached(threshold).get(60, TimeUnit.SECONDS);
            assertThat(guest.summary().get(10, TimeUnit.SECONDS).progressUnits()).isEqualTo(threshold);
            assertThat(guest.progressReached(threshold + 1)).as("parked").isNotDone();
            guest.park(false);
            assertThat(guest.ended().get(60, TimeUnit.SECONDS)).isInstanceOf(GuestEnd.Halted.class);
        }
    }

    @Test
    void aGuestParkedBeforeItStartsRunsNothingAndAFreezeKeepsItParked() throws Exception {
        try (Migratable guest = MACHINES.boot(CONFIG, KernelGuests.kernel())) {
            guest.park(true);
            guest.start();
            assertThat(guest.summary().get(10, TimeUnit.SECONDS).progressUnits()).isZero();
            guest.startDirtyLog(DirtyLogMode.WRITE_PROTECT).get(10, TimeUnit.SECONDS);
            FrozenGuest frozen = guest.freeze().get(10, TimeUnit.SECONDS);
            assertThat(frozen.progressUnits()).isZero();
            assertThat(frozen.dirtyLogFaults()).as("no instruction ran").isZero();
            guest.park(false);
            // Unparked but frozen: it stays held until resumed.
            assertThat(guest.progress().units()).isZero();
            guest.resume().get(10, TimeUnit.SECONDS);
            assertThat(guest.ended().get(60, TimeUnit.SECONDS)).isInstanceOf(GuestEnd.Halted.class);
        }
    }
}
