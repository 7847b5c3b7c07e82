package org.migrationlab.emulator.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migrationlab.emulator.devices.DeviceBus;
import org.migrationlab.emulator.dirtier.DirtierGuest;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.memory.PageTable;
import org.migrationlab.emulator.unicorn.Unicorn;
import org.migrationlab.emulator.unicorn.X86Register;

/**
 * How the engine treats the host's page tables, shown with the dirtier guest on a vCPU assembled by hand
 * (so that the test can swap the TLB flush and change CR0): write-protect dirty logging sees a write
 * only if ring 0 honours read-only PTEs (CR0.WP) and only after a real TLB flush, which writing CR3
 * through Unicorn's register API is not; and the engine's page walker marks the pages the guest touches
 * in the host's tables (docs/EMULATOR.md).
 */
class PagingFactsTest {
    private static final long RAM = 16L << 20;
    private static final long CR0_WP = 1L << 16;
    /** Few enough pages that the engine's TLB keeps them all between rounds. */
    private static final long[] PAGES = {0x400, 0x401, 0x402, 0x500, 0x777, 0x800};

    /** How the dirty log's re-arm reaches the engine. */
    enum Flush {
        /** The vCPU's own: the guest-side stub that writes CR3 from inside the guest. */
        GUEST_STUB,
        /** CR3 written with its own value through the register API. */
        REGISTER_API_CR3_WRITE,
        NONE
    }

    /** A vCPU with the host's page tables and the dirtier guest loaded, run one round at a time. */
    private static final class BareVcpu implements AutoCloseable {
        final MemoryMap memory = new MemoryMap(RAM, PageState.PRESENT);
        final Unicorn engine = Unicorn.openX86_64();
        final Vcpu vcpu;
        private int round;

        BareVcpu() {
            engine.mapHostMemory(0, memory.ram().segment());
            engine.mapHostMemory(PageTable.BASE_GPA, memory.pageTable().segment());
            vcpu = new Vcpu(engine, memory, new DeviceBus());
            vcpu.enablePaging();
            GuestImage image = DirtierGuest.image();
            for (GuestImage.Segment segment : image.segments()) {
                memory.ram().write(segment.gpa(), segment.data());
            }
            vcpu.setEntry(image.entry(), 0x80000, 0x1000);
            memory.makeAbsent(DirtierGuest.FIRST_DOORBELL_PAGE, DirtierGuest.FIRST_DOORBELL_PAGE + 0x100);
        }

        void use(Flush flush) {
            switch (flush) {
                case GUEST_STUB -> { } // installed by the Vcpu
                case REGISTER_API_CR3_WRITE -> memory.useTlbFlush(
                        () -> engine.write(X86Register.CR3, engine.read(X86Register.CR3)));
                case NONE -> memory.useTlbFlush(() -> { });
            }
        }

        /** Lets the guest write each page once; returns the dirty-logging write faults it took. */
        long writeRound(long... pages) {
            ByteBuffer command = ByteBuffer.allocate(8 + 8 * pages.length).order(ByteOrder.LITTLE_ENDIAN);
            command.putLong(pages.length);
            for (long page : pages) {
                command.putLong(page);
            }
            memory.ram().write(DirtierGuest.COMMAND_GPA, command.array());
            if (round > 0) {
                memory.installZero(DirtierGuest.doorbell(round - 1));
            }
            long writeFaults = 0;
            while (true) {
                VcpuExit exit = vcpu.runSlice();
                if (exit instanceof VcpuExit.PageFault fault && fault.pageNumber() == DirtierGuest.doorbell(round)) {
                    round++;
                    return writeFaults;
                }
                if (exit instanceof VcpuExit.PageFault fault && fault.access() == Access.WRITE
                        && memory.dirtyLog().onWriteFault(fault.pageNumber())) {
                    writeFaults++;
                    continue;
                }
                throw new AssertionError("round " + round + " ended with " + exit);
            }
        }

        TreeSet<Long> harvest() {
            TreeSet<Long> pages = new TreeSet<>();
            memory.dirtyLog().harvest().forEach(pages::add);
            return pages;
        }

        @Override
        public void close() {
            try {
                engine.close();
            } finally {
                memory.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flush.class)
    void onlyTheGuestStubFlushesTheTlb(Flush flush) {
        try (BareVcpu bare = new BareVcpu()) {
            bare.use(flush);
            bare.writeRound(PAGES); // the pages' writable translations are now in the engine's TLB
            bare.memory.dirtyLog().start(DirtyLogMode.WRITE_PROTECT); // read-only PTEs, then the flush

            long writeFaults = bare.writeRound(PAGES);

            if (flush == Flush.GUEST_STUB) {
                assertThat(writeFaults).isEqualTo(PAGES.length);
                assertThat(bare.harvest()).hasSize(PAGES.length);
            } else {
                assertThat(writeFaults).as("writes through stale writable TLB entries").isZero();
                assertThat(bare.harvest()).isEmpty();
            }
            for (long page : PAGES) {
                assertThat(bare.memory.ram().readLong(page * 4096 + 8)).as("the second round wrote page %d", page).isEqualTo(1);
            }
        }
    }

    @Test
    void theEnginesPageWalkerSetsTheAccessedBitInTheHostsPageTable() {
        try (BareVcpu bare = new BareVcpu()) {
            long untouched = 0x900;
            assertThat(bare.memory.pageTable().isAccessed(PAGES[0])).isFalse();
            bare.writeRound(PAGES);
            for (long page : PAGES) {
                assertThat(bare.memory.pageTable().isAccessed(page)).as("page %d", page).isTrue();
            }
            assertThat(bare.memory.pageTable().isAccessed(untouched)).isFalse();
            assertThat(bare.memory.mayHoldData(untouched)).isFalse();
        }
    }

    @Test
    void withoutCr0WpRing0WritesIgnoreReadOnlyPtes() {
        try (BareVcpu bare = new BareVcpu()) {
            bare.engine.write(X86Register.CR0, bare.engine.read(X86Register.CR0) & ~CR0_WP);
            bare.vcpu.adoptHostSetup(); // the host's own change, not the guest's: the vCPU must not refuse it
            bare.memory.dirtyLog().start(DirtyLogMode.WRITE_PROTECT); // read-only PTEs and a real flush

            assertThat(bare.writeRound(PAGES)).isZero();
            assertThat(bare.harvest()).isEmpty();
            for (long page : PAGES) {
                assertThat(bare.memory.pageTable().isWritable(page)).isFalse();
                assertThat(bare.memory.ram().readLong(page * 4096)).as("written anyway: page %d", page).isEqualTo(1);
            }
        }
    }
}
