package org.migrationlab.emulator.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.dirtier.DirtierGuest;
import org.migrationlab.emulator.machine.FaultHandler;
import org.migrationlab.emulator.memory.MemoryMap;

/**
 * Regression for Unicorn 2.0.1's fault quirk (docs/EMULATOR.md, "Page faults without an IDT"): after
 * the first two exceptions the engine stops reporting them through the interrupt hook and returns
 * silently. Faults must still be resolved
 * correctly, and a real guest exception must still be reported as a crash with its RIP.
 */
class FaultQuirkTest {
    private static final int FAULTS = 100_000;

    /** Resolves every absent writable page with zeros and counts; doorbells go back to the caller. */
    private static FaultHandler installZeros(AtomicLong resolved) {
        return (fault, machine) -> {
            if (fault.pageNumber() < DirtierGuest.FIRST_WRITABLE_PAGE) {
                return FaultHandler.Resolution.RETURN;
            }
            machine.memory().installZero(fault.pageNumber());
            resolved.incrementAndGet();
            return FaultHandler.Resolution.RESUME;
        };
    }

    @Test
    void aHundredThousandFaultsAreAllResolvedAndTheDataIsRight() {
        try (DirtierGuest guest = new DirtierGuest(512L << 20)) {
            MemoryMap memory = guest.machine().memory();
            memory.makeAbsent(DirtierGuest.FIRST_WRITABLE_PAGE, memory.pageCount());
            long[] pages = new long[FAULTS];
            for (int i = 0; i < FAULTS; i++) {
                pages[i] = DirtierGuest.FIRST_WRITABLE_PAGE + (i * 7919L) % FAULTS; // scattered order
            }
            AtomicLong resolved = new AtomicLong();
            guest.writeRound(pages, installZeros(resolved));
            guest.writeRound(pages, installZeros(resolved)); // second round: all present, no faults

            assertThat(resolved.get()).isEqualTo(FAULTS);
            for (long page : pages) {
                assertThat(memory.ram().readLong(page * 4096)).as("page %d round 0", page).isEqualTo(1);
                assertThat(memory.ram().readLong(page * 4096 + 8)).as("page %d round 1", page).isEqualTo(1);
            }
        }
    }

    @Test
    void ud2AfterManyFaultsIsAGuestCrashWithItsRip() {
        try (DirtierGuest guest = new DirtierGuest(64L << 20)) {
            MemoryMap memory = guest.machine().memory();
            memory.makeAbsent(DirtierGuest.FIRST_WRITABLE_PAGE, memory.pageCount());
            long[] pages = new long[5000];
            for (int i = 0; i < pages.length; i++) {
                pages[i] = DirtierGuest.FIRST_WRITABLE_PAGE + i;
            }
            AtomicLong resolved = new AtomicLong();
            guest.writeRound(pages, installZeros(resolved));
            VcpuExit exit = guest.crashWithUd2(installZeros(resolved));

            assertThat(resolved.get()).isEqualTo(5000);
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.EXCEPTION);
                assertThat(memory.ram().read(crash.rip(), 2)).as("the bytes at RIP are ud2").containsExactly(0x0f, 0x0b);
                assertThat(crash.message()).contains("CPU exception at RIP 0x" + Long.toHexString(crash.rip()));
            });
        }
    }

    @Test
    void ud2AsTheVeryFirstExceptionIsAnInvalidInstructionCrash() {
        try (DirtierGuest guest = new DirtierGuest(16L << 20)) {
            VcpuExit exit = guest.crashWithUd2(FaultHandler.NONE);
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.EXCEPTION);
                assertThat(crash.detail()).contains("invalid instruction");
                assertThat(guest.machine().memory().ram().read(crash.rip(), 2)).containsExactly(0x0f, 0x0b);
            });
        }
    }
}
