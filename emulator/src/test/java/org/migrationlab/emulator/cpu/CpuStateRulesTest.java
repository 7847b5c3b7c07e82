package org.migrationlab.emulator.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.memory.PageTable;
import org.migrationlab.emulator.testing.HostileCpuStates;

/** The registers a restored CPU state may hold: real states pass, each hostile one is refused by name. */
class CpuStateRulesTest {
    private static final long RAM = 16L << 20;
    /** As a machine with host paging sets a guest up (what Vcpu reads back after enablePaging). */
    private static final CpuState SETUP = new CpuState(0, 0, 0, 0, 0, 0x1000, 0, 0x80000, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0x2, 0, 0, 0, 0, 0, 0, 0, 0, 0x80010011L, PageTable.BASE_GPA, 0x20, 0x500, 0, 0, 0, 0);
    private static final CpuStateRules RULES = new CpuStateRules(SETUP, RAM);
    /** A guest paused in the middle of its work. */
    private static final CpuState RUNNING = new CpuState(-1, 7, 0x1234, 0, 5, 6, 0x7fff0, 0x7ffe0, 1, 2, 3, 4, 5, 6,
            7, 8, 0x101234, 0x246, 0, 0, 0, 0, 0, 0, 0xffff_8000_0000_0000L, 0x7fff_ffff_f000L,
            0x80010011L, PageTable.BASE_GPA, 0x20, 0x500, 0, 0, 0, 0);

    static List<HostileCpuStates.Mutation> mutations() {
        return HostileCpuStates.all(RAM);
    }

    @Test
    void aRealStatePasses() {
        assertThatCode(() -> RULES.check(RUNNING)).doesNotThrowAnyException();
    }

    @Test
    void descriptorTablesInsideGuestRamPass() {
        long[] v = RUNNING.toArray();
        v[30] = 0x2000; // GDTR base
        v[31] = 0x7f;
        v[32] = 0x3000; // IDTR base
        v[33] = 0xfff;
        assertThatCode(() -> RULES.check(CpuState.fromArray(v))).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutations")
    void aHostileStateIsRefusedNamingTheRegister(HostileCpuStates.Mutation mutation) {
        assertThatThrownBy(() -> RULES.check(mutation.applyTo(RUNNING)))
                .isInstanceOf(InvalidCpuStateException.class)
                .hasMessageStartingWith("CPU state: " + mutation.register() + " ");
    }

    @Test
    void theRefusalSaysWhatThisMachineRequires() {
        assertThatThrownBy(() -> RULES.check(mutations().getFirst().applyTo(RUNNING)))
                .hasMessage("CPU state: FS 0x8, this machine requires 0x0 (guests of this machine never load segment"
                        + " registers)");
        assertThat(mutations()).hasSizeGreaterThan(20);
    }
}
