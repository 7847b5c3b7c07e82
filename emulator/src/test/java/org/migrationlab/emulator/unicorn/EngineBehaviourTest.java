package org.migrationlab.emulator.unicorn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.memory.PageTable;

/**
 * What Unicorn 2.0.1 does, shown on a bare engine with tiny hand-assembled programs: the facts the vCPU
 * loop is built around (docs/EMULATOR.md explains what the code does about each). If a newer Unicorn
 * changes one of them, the test that fails names the assumption that no longer holds.
 */
class EngineBehaviourTest {
    private static final long CODE = 0x100000;
    /** {@code mov $1,%eax; nop; out %eax,$0xe1; jmp 1f; 1: hlt}: the out is at +6, the jump ends the block at +10. */
    private static final byte[] OUT_THEN_JUMP = bytes(0xb8, 0x01, 0x00, 0x00, 0x00, 0x90, 0xe7, 0xe1, 0xeb, 0x00, 0xf4);
    /** {@code out %eax,$0xe1; inc %rbx; inc %rbx; jmp 1f; 1: hlt}. */
    private static final byte[] OUT_THEN_MORE = bytes(0xe7, 0xe1, 0x48, 0xff, 0xc3, 0x48, 0xff, 0xc3, 0xeb, 0x00, 0xf4);
    /** {@code 1: movb (%rdi),%al; add $0x1000,%rdi; dec %rcx; jnz 1b; out %eax,$0xe0; jmp 1f; 1: hlt}. */
    private static final byte[] READ_PAGES = bytes(0x8a, 0x07, 0x48, 0x81, 0xc7, 0x00, 0x10, 0x00, 0x00, 0x48, 0xff,
            0xc9, 0x75, 0xf2, 0xe7, 0xe0, 0xeb, 0x00, 0xf4);
    /** {@code nop; nop; nop; movb (%rdi),%al; out %eax,$0xe0; jmp 1f; 1: hlt}: the read is at +3. */
    private static final byte[] READ_AFTER_NOPS = bytes(0x90, 0x90, 0x90, 0x8a, 0x07, 0xe7, 0xe0, 0xeb, 0x00, 0xf4);
    private static final long CR0_PE = 1L;
    private static final long CR0_WP = 1L << 16;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;

    /** Records what the hooks see; stops the engine at every out and every exception, as the vCPU does. */
    private static final class Recorder implements HookSink {
        final Unicorn engine;
        final List<Integer> vectors = new ArrayList<>();
        final List<Long> ripsInOut = new ArrayList<>();
        final List<Integer> outValues = new ArrayList<>();
        final List<Long> unmapped = new ArrayList<>();

        Recorder(Unicorn engine) {
            this.engine = engine;
            engine.installHooks(this);
        }

        @Override
        public void interrupt(int vector) {
            vectors.add(vector);
            engine.stop();
        }

        @Override
        public void protectionFault(long address) {
            engine.stop();
        }

        @Override
        public void out(int port, int size, int value) {
            ripsInOut.add(engine.read(X86Register.RIP));
            outValues.add(value);
            engine.stop();
        }

        @Override
        public void unmapped(long address) {
            unmapped.add(address);
        }

        @Override
        public int in(int port, int size) {
            return 0;
        }
    }

    @Test
    void theLibraryStatesItsVersion() {
        assertThat(Unicorn.libraryVersion()).as("Debian's libunicorn2").matches("2\\.\\d+\\.\\d+");
    }

    @Test
    void aStopIssuedBeforeStartIsForgotten() {
        try (GuestMemory ram = new GuestMemory(4L << 20); Unicorn engine = Unicorn.openX86_64()) {
            engine.mapHostMemory(0, ram.segment());
            new Recorder(engine);
            ram.write(CODE, OUT_THEN_JUMP);
            engine.stop();
            engine.start(CODE, CODE + 6); // until the out: only a remembered stop could end it sooner
            assertThat(engine.read(X86Register.RIP)).isEqualTo(CODE + 6);
        }
    }

    @Test
    void insideAnOutHookRipIsTheStartOfTheTranslatedBlock() {
        try (GuestMemory ram = new GuestMemory(4L << 20); Unicorn engine = Unicorn.openX86_64()) {
            engine.mapHostMemory(0, ram.segment());
            Recorder hooks = new Recorder(engine);
            ram.write(CODE, OUT_THEN_JUMP);
            engine.start(CODE, 0);
            assertThat(hooks.ripsInOut).as("RIP read inside the hook").containsExactly(CODE);
            assertThat(engine.read(X86Register.RIP)).as("RIP after the stop: past the jump that ends the block")
                    .isEqualTo(CODE + 10);
        }
    }

    @Test
    void aStopFromAnOutHookLandsAtTheEndOfTheBlock() {
        try (GuestMemory ram = new GuestMemory(4L << 20); Unicorn engine = Unicorn.openX86_64()) {
            engine.mapHostMemory(0, ram.segment());
            new Recorder(engine);
            ram.write(CODE, OUT_THEN_MORE);
            engine.start(CODE, 0);
            assertThat(engine.read(X86Register.RBX)).as("both increments after the out ran").isEqualTo(2);
            assertThat(engine.read(X86Register.RIP)).isEqualTo(CODE + 10);
        }
    }

    @Test
    void translatedCodeIgnoresWritesToItsBytesUntilItsTranslationIsRemoved() {
        try (GuestMemory ram = new GuestMemory(4L << 20); Unicorn engine = Unicorn.openX86_64();
             Arena arena = Arena.ofConfined()) {
            engine.mapHostMemory(0, ram.segment());
            Recorder hooks = new Recorder(engine);
            ram.write(CODE, OUT_THEN_JUMP); // mov $1,%eax: the immediate is the byte at CODE + 1
            engine.start(CODE, 0);

            ram.write(CODE + 1, bytes(2)); // the host writes guest RAM directly
            engine.start(CODE, 0);
            MemorySegment three = arena.allocate(1);
            three.set(ValueLayout.JAVA_BYTE, 0, (byte) 3);
            engine.memWrite(CODE + 1, three); // even through Unicorn's own API
            engine.start(CODE, 0);
            engine.removeTranslations(CODE, CODE + 4096);
            engine.start(CODE, 0);

            assertThat(hooks.outValues).containsExactly(1, 1, 1, 3);
        }
    }

    /**
     * Without an IDT the engine cannot deliver a page fault to the guest. The first is reported to the
     * interrupt hook as vector 14, the next as vector 8 (a double fault: the first is still in flight),
     * and every later one not at all: {@code uc_emu_start} returns as if nothing happened. CR2 holds
     * the address and RIP the faulting instruction each time, and the engine never clears CR2.
     */
    @Test
    void pageFaultsAreReportedTwiceThenOnlyByCr2() {
        try (MemoryMap memory = new MemoryMap(16L << 20, PageState.PRESENT); Unicorn engine = Unicorn.openX86_64()) {
            Recorder hooks = pagedEngine(memory, engine);
            memory.ram().write(CODE, READ_PAGES);
            int faults = 10;
            memory.makeAbsent(0x400, 0x400 + faults); // before the first run: nothing cached to flush
            engine.write(X86Register.RDI, 0x400000);
            engine.write(X86Register.RCX, faults);

            for (int i = 0; i < faults; i++) {
                engine.write(X86Register.CR2, 0);
                engine.start(CODE, 0); // returns normally: no exception, no error
                assertThat(engine.read(X86Register.CR2)).as("fault %d", i).isEqualTo(0x400000L + i * 4096L);
                assertThat(engine.read(X86Register.RIP)).as("fault %d: the faulting instruction", i).isEqualTo(CODE);
                assertThat(hooks.vectors).as("fault %d", i).containsExactlyElementsOf(List.of(14, 8).subList(0, Math.min(i + 1, 2)));
                memory.installZero(0x400 + i);
            }
            engine.start(CODE, 0); // CR2 not zeroed this time: the loop ends at its out
            assertThat(hooks.outValues).hasSize(1);
            assertThat(engine.read(X86Register.CR2)).as("stale CR2").isEqualTo(0x400000L + (faults - 1) * 4096L);
            assertThat(hooks.vectors).containsExactly(14, 8);
        }
    }

    @Test
    void anAccessBeyondRamReachesTheUnmappedHookNotThePageWalk() {
        try (MemoryMap memory = new MemoryMap(16L << 20, PageState.PRESENT); Unicorn engine = Unicorn.openX86_64()) {
            Recorder hooks = pagedEngine(memory, engine);
            memory.ram().write(CODE, READ_AFTER_NOPS);
            engine.write(X86Register.RDI, 32L << 20); // 16 MiB past the end of RAM
            engine.write(X86Register.CR2, 0);

            assertThatThrownBy(() -> engine.start(CODE, 0)).isInstanceOfSatisfying(UnicornException.class,
                    e -> assertThat(e.error()).isEqualTo(UcError.READ_UNMAPPED));
            assertThat(hooks.unmapped).containsExactly(32L << 20);
            assertThat(hooks.vectors).as("no page fault").isEmpty();
            assertThat(engine.read(X86Register.CR2)).isZero();
            assertThat(engine.read(X86Register.RIP)).as("the block's first instruction, not the read at +3")
                    .isEqualTo(CODE);
        }
    }

    /** Maps RAM and the host's page tables of {@code memory} and turns paging on, as the vCPU does. */
    private static Recorder pagedEngine(MemoryMap memory, Unicorn engine) {
        engine.mapHostMemory(0, memory.ram().segment());
        engine.mapHostMemory(PageTable.BASE_GPA, memory.pageTable().segment());
        Recorder hooks = new Recorder(engine);
        engine.write(X86Register.CR3, memory.pageTable().root());
        engine.write(X86Register.CR4, engine.read(X86Register.CR4) | CR4_PAE);
        engine.write(X86Register.CR0, engine.read(X86Register.CR0) | CR0_PG | CR0_PE | CR0_WP);
        return hooks;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
