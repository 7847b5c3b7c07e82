package org.migrationlab.balloon.driver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.migrationlab.balloon.device.BalloonDevice;
import org.migrationlab.balloon.device.BalloonStats;
import org.migrationlab.balloon.policy.SelfBalloonPolicy;
import org.migrationlab.balloon.testing.BalloonGuests;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * The balloon's state moves with the guest: paused halfway, copied into an empty machine (CPU, devices,
 * present pages, and the ballooned pages marked ballooned there), the copy ends like the original.
 */
class BalloonSaveRestoreTest {
    private static final long RAM = 32L << 20;

    @Test
    void aCopiedGuestKeepsItsBalloon() {
        MachineConfig config = KernelGuests.config(RAM, "churn", 8, "size=8M", "block=128K", "phases=6",
                "dsb-interval=100us", "dsb=on");
        VcpuExit.Halt expected;
        try (Machine reference = BalloonGuests.boot(config, SelfBalloonPolicy.paper())) {
            expected = BalloonGuests.runToHalt(reference);
        }
        try (Machine original = BalloonGuests.boot(config, SelfBalloonPolicy.paper())) {
            original.counters().listener((counter, value) -> {
                if (counter == 1 && value == 3) {
                    original.requestPause();
                }
            });
            assertThat(original.run()).isInstanceOf(VcpuExit.Paused.class);
            original.counters().listener((counter, value) -> { });
            BalloonDevice balloon = BalloonGuests.balloon(original);
            assertThat(balloon.balloonPages()).isPositive();
            BalloonStats before = balloon.stats();

            try (Machine copy = Machine.empty(config, BalloonDevice.factory(SelfBalloonPolicy.paper()))) {
                copy.restoreCpu(original.saveCpu());
                copy.restoreDevices(original.saveDevices());
                for (long page = 1; page < original.memory().pageCount(); page++) {
                    switch (original.memory().state(page)) {
                        case PRESENT -> copy.installPage(page, original.memory().ram().segment(), page * 4096);
                        case BALLOONED -> copy.memory().balloon(page);
                        case ABSENT, GUARD -> { }
                    }
                }
                BalloonDevice copied = BalloonGuests.balloon(copy);
                assertThat(copied.balloonState()).isEqualTo(balloon.balloonState());
                assertThat(copied.ballooned()).isEqualTo(balloon.ballooned());
                assertThat(BalloonGuests.runToHalt(copy)).isEqualTo(expected);
                assertThat(copied.stats().queries()).isGreaterThan(before.queries());
                assertThat(copied.balloonPages()).isEqualTo(copy.memory().countPages(PageState.BALLOONED));
            }
            assertThat(BalloonGuests.runToHalt(original)).isEqualTo(expected);
        }
    }

    @Test
    void aMachineWithoutTheBalloonCannotTakeTheState() {
        MachineConfig config = KernelGuests.config(RAM, "wss", 1, "wss=64K");
        try (Machine withBalloon = BalloonGuests.boot(config, SelfBalloonPolicy.paper());
             Machine without = Machine.empty(config)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> without.restoreDevices(withBalloon.saveDevices()))
                    .hasMessageContaining("device 0xe6, which this machine does not have");
        }
    }
}
