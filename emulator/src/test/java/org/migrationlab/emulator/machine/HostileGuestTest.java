package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.cpu.CrashKind;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.dirtier.DirtierGuest;
import org.migrationlab.emulator.devices.ConsoleDevice;
import org.migrationlab.emulator.memory.PageTable;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.emulator.testing.TestGuests;
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

    // ---- the host's page tables and paging registers

    /**
     * The guest loads page tables of its own that map the host's page-table segment and writes the host's
     * PML4 through them. Whatever its own tables say, the segment is read-only to the guest: the write never
     * lands and the run ends with a typed crash naming the address.
     */
    @Test
    void aGuestWritingTheHostsPageTablesGetsATypedCrashAndTheTablesStayIntact() {
        try (Machine machine = Machine.boot(MachineConfig.of(RAM, BootArgs.of("", 0)),
                TestGuests.image("page_table_writer"))) {
            long pml4Entry1 = machine.memory().pageTable().segment().get(ValueLayout.JAVA_LONG, 8);

            VcpuExit exit = machine.run();

            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.PAGE_TABLE_WRITE);
                assertThat(crash.address()).isEqualTo(PageTable.BASE_GPA + 8);
                assertThat(crash.message()).contains("write to the host's page tables").contains("0x4000000008");
            });
            assertThat(machine.memory().pageTable().segment().get(ValueLayout.JAVA_LONG, 8)).isEqualTo(pml4Entry1);
            assertThat(machine.isFinished()).isTrue();
        }
    }

    /** A guest that runs on page tables of its own escapes dirty logging: it is stopped at its next exit. */
    @Test
    void aGuestThatLeavesTheHostsPagingIsStoppedAtItsNextExit() {
        try (Machine machine = Machine.boot(MachineConfig.of(RAM, BootArgs.of("", 0)),
                TestGuests.image("paging_switcher"))) {
            VcpuExit exit = machine.run((fault, m) -> {
                throw new AssertionError("the fault of a guest off the host's paging reached the handler: " + fault);
            });

            assertThat(exit).isInstanceOfSatisfying(VcpuExit.GuestCrash.class, crash -> {
                assertThat(crash.kind()).isEqualTo(CrashKind.PAGING_CHANGED);
                assertThat(crash.message()).contains("CR3 0x300000").contains("0x" + Long.toHexString(PageTable.BASE_GPA));
            });
        }
    }

    // ---- bounded console

    /**
     * 1 GiB written to the console in 64 KiB writes without a newline: the console keeps its 4 MiB of text
     * and at most {@link ConsoleDevice#MAX_LINE_BYTES} of unfinished line, so the live heap grows by less
     * than 32 MiB (it grew by over 1 GiB when the unfinished line had no bound).
     */
    @Test
    void aGuestWritingOneGibibyteWithoutANewlineKeepsTheHeapBounded() {
        long writes = (1L << 30) / ConsoleDevice.MAX_WRITE;
        try (Machine machine = Machine.boot(MachineConfig.of(RAM, BootArgs.of("", 0)),
                TestGuests.image("console_flood"))) {
            machine.memory().ram().write(0x1ff000, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(writes).array());
            long[] echoed = new long[1];
            machine.console().echoLinesTo(line -> echoed[0] += line.length());
            long heapBefore = liveHeapBytes();

            assertThat(machine.run()).isEqualTo(new VcpuExit.Halt(writes, 0));

            long grown = liveHeapBytes() - heapBefore;
            System.out.printf("console flood: 1 GiB without a newline, live heap grew by %.1f MiB%n", grown / 1048576.0);
            assertThat(grown).as("live heap growth after 1 GiB without a newline").isLessThan(32L << 20);
            assertThat(machine.console().unfinishedLineBytes()).isLessThanOrEqualTo(ConsoleDevice.MAX_LINE_BYTES);
            assertThat(machine.console().droppedBytes()).isEqualTo((1L << 30) - ConsoleDevice.MAX_BYTES);
            assertThat(echoed[0] + machine.console().unfinishedLineBytes()).as("every byte reached the listener or waits")
                    .isEqualTo(1L << 30);
        }
    }

    private static long liveHeapBytes() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
