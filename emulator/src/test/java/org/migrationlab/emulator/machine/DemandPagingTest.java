package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.emulator.testing.KernelGuests.Outcome;

/**
 * Demand paging in one process: a machine that starts with every page absent and copies each page, on
 * its first fault, from a second machine's snapshot ends byte-identical to the normal run.
 */
class DemandPagingTest {
    private static final long RAM = 32L << 20;

    @ParameterizedTest
    @ValueSource(strings = {"wss:wss=4M:pattern=random", "kvstore:requests=2000", "incrementer:range=2M:sweeps=5",
            "quicksort:procs=3:size=512K:rounds=1"})
    void faultDrivenMachineEndsByteIdenticalToTheNormalRun(String spec) {
        String[] parts = spec.split(":");
        String[] args = java.util.Arrays.copyOfRange(parts, 1, parts.length);
        MachineConfig config = KernelGuests.config(RAM, parts[0], 42, args);
        Outcome reference = KernelGuests.referenceRun(config);

        try (Machine snapshot = KernelGuests.boot(config); Machine demand = Machine.empty(config)) {
            demand.restoreCpu(snapshot.saveCpu());
            demand.restoreDevices(snapshot.saveDevices());
            assertThat(demand.memory().countPages(PageState.ABSENT)).isEqualTo(demand.memory().pageCount() - 1);
            AtomicLong faults = new AtomicLong();
            Outcome outcome = KernelGuests.runToEnd(demand, (fault, machine) -> {
                machine.installPage(fault.pageNumber(), snapshot.memory().ram().segment(), fault.pageNumber() * 4096);
                faults.incrementAndGet();
                return FaultHandler.Resolution.RESUME;
            });
            assertThat(outcome.result()).isEqualTo(reference.result());
            assertThat(outcome.status()).isEqualTo(reference.status()).isZero();
            assertThat(outcome.console()).isEqualTo(reference.console());
            assertThat(faults.get()).isEqualTo(demand.memory().countPages(PageState.PRESENT)).isPositive();
            // Pages the guest never touched are still absent; like a post-copy's final sweep, bring them
            // over from the (never run) snapshot, then the whole of RAM must match the normal run.
            for (long page = 1; page < demand.memory().pageCount(); page++) {
                if (demand.memory().state(page) == PageState.ABSENT) {
                    demand.installPage(page, snapshot.memory().ram().segment(), page * 4096);
                }
            }
            assertThat(demand.memory().hash()).isEqualTo(reference.memoryHash());
        }
    }
}
