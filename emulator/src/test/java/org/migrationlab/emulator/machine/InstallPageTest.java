package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.cpu.CrashKind;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.dirtier.DirtierGuest;

/**
 * The engine keeps running translated code after the host rewrote its bytes, so {@link Machine#installPage}
 * drops the translations of a present page once the machine has run: the guest then runs the new code.
 */
class InstallPageTest {
    private static final long RAM = 16L << 20;
    private static final byte[] UD2 = {0x0f, 0x0b};

    @Test
    void rewritingACodePageThatHasRunTakesEffect() {
        try (DirtierGuest guest = new DirtierGuest(RAM); Arena arena = Arena.ofConfined()) {
            Machine machine = guest.machine();
            guest.writeRound(new long[] {0x400});
            guest.writeRound(new long[] {0x400}); // the block at the doorbell read has now been translated
            long rip = machine.rip();
            long page = rip >>> 12;
            MemorySegment code = arena.allocate(4096);
            code.copyFrom(machine.memory().ram().page(page));
            MemorySegment.copy(UD2, 0, code, ValueLayout.JAVA_BYTE, rip & 4095, UD2.length);

            machine.installPage(page, code, 0);
            machine.memory().installZero(DirtierGuest.doorbell(1)); // the old code would read it and go on

            assertThat(machine.run()).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.EXCEPTION);
                assertThat(crash.rip()).isEqualTo(rip);
            });
        }
    }
}
