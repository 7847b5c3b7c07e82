package org.migrationlab.emulator.testing;

import java.util.List;
import java.util.function.UnaryOperator;

import org.migrationlab.emulator.cpu.CpuState;
import org.migrationlab.emulator.memory.PageTable;

/**
 * CPU states a hostile migration source may send, each one register (or two) away from a real state:
 * the first is the one that killed a destination's JVM (a selector whose descriptor lies on an unmapped
 * page, loaded outside any guest run). For tests that the machine refuses them all.
 */
public final class HostileCpuStates {
    /** One change of a real state, named for messages; {@code register} is what the refusal must name. */
    public record Mutation(String name, String register, UnaryOperator<long[]> change) {
        public CpuState applyTo(CpuState state) {
            return CpuState.fromArray(change.apply(state.toArray()));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // Field indexes of CpuState.toArray().
    private static final int RIP = 16;
    private static final int RFLAGS = 17;
    private static final int CS = 18;
    private static final int DS = 19;
    private static final int FS = 21;
    private static final int SS = 23;
    private static final int FS_BASE = 24;
    private static final int GS_BASE = 25;
    private static final int CR0 = 26;
    private static final int CR3 = 27;
    private static final int CR4 = 28;
    private static final int EFER = 29;
    private static final int GDTR_BASE = 30;
    private static final int GDTR_LIMIT = 31;
    private static final int IDTR_BASE = 32;
    private static final int IDTR_LIMIT = 33;

    private HostileCpuStates() {
    }

    private static Mutation set(String name, String register, int field, long value) {
        return new Mutation(name, register, v -> {
            v[field] = value;
            return v;
        });
    }

    /** Every mutation, for a guest of {@code ramBytes} of RAM. */
    public static List<Mutation> all(long ramBytes) {
        return List.of(
                new Mutation("GDTR limit 0xffff and FS 0x8", "FS", v -> {
                    v[GDTR_LIMIT] = 0xffff;
                    v[FS] = 0x8;
                    return v;
                }),
                set("CS 0x8", "CS", CS, 0x8),
                set("SS 0x10", "SS", SS, 0x10),
                set("DS 0x3", "DS", DS, 0x3),
                set("CR3 in guest RAM", "CR3", CR3, 0x300000),
                set("CR3 past the host's tables", "CR3", CR3, PageTable.BASE_GPA + (1L << 30)),
                set("CR0 without write protection", "CR0", CR0, 0x80000011L),
                set("CR0 without paging", "CR0", CR0, 0x10011L),
                set("CR4 without PAE", "CR4", CR4, 0),
                set("EFER with reserved bits", "EFER", EFER, -1L),
                set("EFER without long mode", "EFER", EFER, 0),
                set("RIP beyond RAM", "RIP", RIP, ramBytes),
                set("RIP in the null page", "RIP", RIP, 0x10),
                set("RIP not canonical", "RIP", RIP, 0x8000_0000_0000_0000L),
                set("RFLAGS every bit", "RFLAGS", RFLAGS, -1L),
                set("RFLAGS without bit 1", "RFLAGS", RFLAGS, 0),
                set("RFLAGS virtual-8086", "RFLAGS", RFLAGS, 0x2 | (1L << 17)),
                set("FS base not canonical", "FS base", FS_BASE, 0x0000_8000_0000_0000L),
                set("GS base not canonical", "GS base", GS_BASE, 0x1234_0000_0000_0000L),
                new Mutation("GDTR beyond RAM", "GDTR", v -> {
                    v[GDTR_BASE] = ramBytes - 8;
                    v[GDTR_LIMIT] = 0xff;
                    return v;
                }),
                new Mutation("IDTR in the null page", "IDTR", v -> {
                    v[IDTR_BASE] = 0x8;
                    v[IDTR_LIMIT] = 0xfff;
                    return v;
                }),
                set("GDTR limit over 64 KiB", "GDTR", GDTR_LIMIT, 0x10000));
    }
}
