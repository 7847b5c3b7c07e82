package org.migrationlab.balloon.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.migrationlab.balloon.device.BalloonStats;
import org.migrationlab.balloon.policy.SelfBalloonPolicy;
import org.migrationlab.balloon.testing.BalloonGuests;
import org.migrationlab.balloon.testing.KernelLayout;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.BootInfo;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * A guest that allocates, frees and re-allocates large blocks ends the same with self-ballooning as
 * without: same result and console, and the same bytes in every page except those that differ by
 * design — the boot-info page (its dsb= argument), the driver's own area, pages in the balloon at the
 * end, and free pages that came back from the balloon as zeros.
 */
class SelfBallooningEquivalenceTest {
    private static final long RAM = 64L << 20;

    /** dsb= last, so that both runs lay their other arguments out identically. */
    private static MachineConfig churn(String dsb) {
        return KernelGuests.config(RAM, "churn", 3, "size=16M", "block=256K", "phases=11", "dsb-interval=100us",
                "dsb-reserve=512K", "dsb=" + dsb);
    }

    @Test
    void churnUnderSelfBallooningEndsByteIdenticalToChurnWithout() {
        try (Machine plain = BalloonGuests.boot(churn("off"), SelfBalloonPolicy.paper());
             Machine ballooned = BalloonGuests.boot(churn("on"), SelfBalloonPolicy.paper())) {
            VcpuExit.Halt plainHalt = BalloonGuests.runToHalt(plain);
            VcpuExit.Halt balloonedHalt = BalloonGuests.runToHalt(ballooned);

            assertThat(plainHalt.status()).as(plain.console().text()).isZero();
            assertThat(balloonedHalt).isEqualTo(plainHalt);
            assertThat(ballooned.console().text()).isEqualTo(plain.console().text());
            assertThat(ballooned.counters().values()).isEqualTo(plain.counters().values());

            BalloonStats plainStats = BalloonGuests.balloon(plain).stats();
            assertThat(plainStats.queries()).as("dsb=off never uses the port").isZero();
            BalloonStats stats = BalloonGuests.balloon(ballooned).stats();
            assertThat(stats.queries()).as("the driver woke many times").isGreaterThan(200);
            assertThat(stats.inflations()).isGreaterThan(50);
            assertThat(stats.pressureDeflations()).as("pages went back and forth").isGreaterThan(20);
            assertThat(stats.pagesReclaimed()).isGreaterThan(5_000);
            assertThat(stats.balloonPages()).isEqualTo(ballooned.memory().countPages(PageState.BALLOONED));

            Comparison c = compare(plain, ballooned);
            System.out.printf("DSB equivalence: %s; %s%n", c, stats);
            assertThat(c.mismatches()).as(c.firstMismatch()).isZero();
            assertThat(c.compared()).as("pages compared byte for byte").isGreaterThan(2_000);
            assertThat(c.ballooned()).isEqualTo(stats.balloonPages());
        }
    }

    record Comparison(long pages, long compared, long ballooned, long zeroedFree, long mismatches, String firstMismatch) {
    }

    private static Comparison compare(Machine plain, Machine ballooned) {
        KernelLayout layout = KernelLayout.of(KernelGuests.kernel(), RAM);
        GuestMemory a = plain.memory().ram();
        GuestMemory b = ballooned.memory().ram();
        long pages = a.pageCount(), compared = 0, balloonedPages = 0, zeroedFree = 0, mismatches = 0;
        String first = "";
        for (long page = 1; page < pages; page++) {
            if (page == BootInfo.GPA / GuestMemory.PAGE_SIZE || layout.inBalloonArea(page)) {
                continue;
            }
            if (ballooned.memory().state(page) == PageState.BALLOONED) {
                balloonedPages++;
                continue;
            }
            MemorySegment pa = a.page(page);
            MemorySegment pb = b.page(page);
            if (pa.mismatch(pb) < 0) {
                compared++;
            } else if (b.isZeroPage(page) && !layout.allocatorUses(b, page)) {
                zeroedFree++; // came back from the balloon as zeros and was not allocated again
            } else {
                if (mismatches++ == 0) {
                    first = "page " + page + " (0x" + Long.toHexString(page * GuestMemory.PAGE_SIZE) + ") differs at byte "
                            + pa.mismatch(pb) + "; allocator uses it: " + layout.allocatorUses(b, page);
                }
            }
        }
        return new Comparison(pages, compared, balloonedPages, zeroedFree, mismatches, first);
    }
}
