package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.cpu.CrashKind;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.dirtier.DirtierGuest;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.guest.GuestImages;

/** A guest that misbehaves gets a typed crash exit with a clear message; the JVM and the host carry on. */
class HostileGuestTest {
    private static final long RAM = 16L << 20;

    private static VcpuExit runWriting(Machine machine, long page) {
        byte[] command = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(page).array();
        machine.memory().ram().write(DirtierGuest.COMMAND_GPA, command);
        return machine.run();
    }

    @Test
    void accessOutsideRamIsAGuestCrashNamingTheAddress() {
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            VcpuExit exit = runWriting(guest.machine(), RAM / 4096 + 10);
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.OUTSIDE_RAM);
                assertThat(crash.address()).isEqualTo(RAM + 10 * 4096);
                assertThat(crash.rip()).isBetween(0x100000L, 0x100100L);
                assertThat(crash.message()).contains("outside guest RAM").contains("0x100a000");
            });
            assertThat(guest.machine().isFinished()).isTrue();
        }
    }

    @Test
    void accessToABalloonedPageIsAGuestCrash() {
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            guest.machine().memory().balloon(0x456);
            guest.machine().memory().flushTlb();
            VcpuExit exit = runWriting(guest.machine(), 0x456);
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.BALLOONED_PAGE);
                assertThat(crash.message()).contains("ballooned page").contains("page 1110");
            });
        }
    }

    @Test
    void theNullPageIsGuarded() {
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            VcpuExit exit = runWriting(guest.machine(), 0);
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class,
                    crash -> assertThat(crash.kind()).isEqualTo(CrashKind.NULL_PAGE));
        }
    }

    @Test
    void kernelProbeReadingBeyondRamCrashesWithTheAddress() {
        MachineConfig config = KernelGuests.config(RAM, "probe", 1, "touch=3", "read=0x7000000");
        try (Machine machine = KernelGuests.boot(config)) {
            VcpuExit exit = machine.run();
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.OUTSIDE_RAM);
                assertThat(crash.address()).isEqualTo(0x7000000L);
            });
            assertThat(machine.console().text()).contains("probe: read 0x7000000");
        }
    }

    @Test
    void kernelProbeDividingByZeroIsACrash() {
        try (Machine machine = KernelGuests.boot(KernelGuests.config(RAM, "probe", 1, "divzero=1"))) {
            assertThat(machine.run()).isInstanceOfSatisfying(VcpuExit.GuestCrash.class,
                    crash -> assertThat(crash.kind()).isEqualTo(CrashKind.EXCEPTION));
        }
    }

    @Test
    void unknownWorkloadExitsWithTheKernelsStatus() {
        try (Machine machine = KernelGuests.boot(KernelGuests.config(RAM, "nosuch", 1))) {
            assertThat(machine.run()).isEqualTo(new VcpuExit.Halt(0, 3));
        }
    }

    @Test
    void userGuestsRunAsElfAndAsFlatBinaries() {
        for (String name : new String[] {GuestImages.HELLO_ELF, GuestImages.HELLO_FLAT}) {
            ImageFormat format = name.endsWith(".bin") ? ImageFormat.FLAT : ImageFormat.AUTO;
            GuestImage image = ImageLoader.load(name, GuestImages.load(name), format);
            try (Machine machine = Machine.boot(MachineConfig.of(RAM, BootArgs.of("", 0)), image)) {
                assertThat(machine.run()).as(name).isEqualTo(new VcpuExit.Halt(42, 0));
                assertThat(machine.console().text()).isEqualTo("hello from a user guest\n");
            }
        }
    }

    @Test
    void aFinishedMachineRefusesToRunAndPausesReturnAtOnce() throws Exception {
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            runWriting(guest.machine(), 0);
            assertThat(guest.machine().pause(1, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> guest.machine().run())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("finished");
        }
    }
}
