package org.migrationlab.balloon.driver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.migrationlab.balloon.device.BalloonStats;
import org.migrationlab.balloon.policy.SelfBalloonPolicy;
import org.migrationlab.balloon.testing.BalloonGuests;
import org.migrationlab.emulator.cpu.CrashKind;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * Under memory pressure the driver deflates before the allocation proceeds: a working set that grows
 * past the balloon's reserve never fails an allocation and never touches a ballooned page. And a guest
 * that does touch one is stopped with a crash naming the page.
 */
class MemoryPressureTest {
    private static final long RAM = 64L << 20;

    /** The same guest with dsb=off, on a machine without a balloon device. */
    private static VcpuExit.Halt reference(MachineConfig config) {
        java.util.Map<String, String> args = new java.util.LinkedHashMap<>(config.bootArgs().args());
        args.put("dsb", "off");
        MachineConfig off = MachineConfig.of(config.ramBytes(),
                new org.migrationlab.emulator.image.BootArgs(config.bootArgs().workload(), args, config.bootArgs().seed()));
        try (Machine machine = KernelGuests.boot(off)) {
            return BalloonGuests.runToHalt(machine);
        }
    }

    private static void assertBalloonedPagesAreAbsentAndZero(Machine machine) {
        long ballooned = 0;
        for (long page = 1; page < machine.memory().pageCount(); page++) {
            if (machine.memory().state(page) == PageState.BALLOONED) {
                ballooned++;
                assertThat(machine.memory().pageTable().isPresent(page)).as("page %d mapped", page).isFalse();
                assertThat(machine.memory().ram().isZeroPage(page)).as("page %d zero", page).isTrue();
            }
        }
        assertThat(ballooned).isEqualTo(BalloonGuests.balloon(machine).balloonPages());
    }

    @Test
    void churnGrowingBackOverTheBalloonNeverFailsAnAllocation() {
        // Low phases leave most of RAM free, the balloon takes 95 % of it; high phases need it back.
        MachineConfig config = KernelGuests.config(RAM, "churn", 5, "size=24M", "block=512K", "phases=7",
                "dsb=on", "dsb-interval=50us", "dsb-reserve=256K");
        VcpuExit.Halt expected = reference(config);
        assertThat(expected.status()).isZero();
        try (Machine machine = BalloonGuests.boot(config, SelfBalloonPolicy.paper())) {
            assertThat(machine.run()).isEqualTo(expected);
            BalloonStats stats = BalloonGuests.balloon(machine).stats();
            assertThat(stats.pagesReturned()).as("the balloon held most of RAM at times").isGreaterThan(RAM / 4096 / 2);
            assertThat(stats.pressureDeflations()).isGreaterThan(10);
            assertThat(stats.pagesReclaimed()).isGreaterThan(RAM / 4096 / 4);
            assertBalloonedPagesAreAbsentAndZero(machine);
        }
    }

    @Test
    void aCompilerLikeWorkingSetGrowsThroughTheBalloonPageByPage() {
        // kcompile's size-class pages are never given back, so its footprint only grows: every new page
        // beyond the reserve comes out of the balloon.
        MachineConfig config = KernelGuests.config(RAM, "kcompile", 9, "objects=24000", "ops=120000",
                "dsb=on", "dsb-interval=20us", "dsb-reserve=64K");
        VcpuExit.Halt expected = reference(config);
        assertThat(expected.status()).isZero();
        try (Machine machine = BalloonGuests.boot(config, SelfBalloonPolicy.paper())) {
            assertThat(machine.run()).isEqualTo(expected);
            BalloonStats stats = BalloonGuests.balloon(machine).stats();
            assertThat(stats.pressureDeflations()).isGreaterThan(5);
            assertThat(stats.inflations()).isGreaterThan(5);
            assertBalloonedPagesAreAbsentAndZero(machine);
        }
    }

    @Test
    void aGuestTouchingABalloonedPageIsStoppedWithThePageAndRip() {
        long lastPage = RAM - GuestMemory.PAGE_SIZE;
        // The first progress report wakes the driver, which balloons the highest free pages first.
        MachineConfig config = KernelGuests.config(RAM, "probe", 1, "touch=64", "read=" + lastPage,
                "dsb=on", "dsb-interval=10us");
        try (Machine machine = BalloonGuests.boot(config, SelfBalloonPolicy.paper())) {
            VcpuExit exit = machine.run();
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.BALLOONED_PAGE);
                assertThat(crash.address()).isEqualTo(lastPage);
                assertThat(crash.rip()).isBetween(0x100000L, 0x200000L);
                assertThat(crash.message()).contains("page " + lastPage / GuestMemory.PAGE_SIZE);
            });
            assertThat(machine.memory().state(lastPage / GuestMemory.PAGE_SIZE)).isEqualTo(PageState.BALLOONED);
        }
    }
}
