package org.migrationlab.emulator.cpu;

import org.migrationlab.emulator.memory.GuestMemory;

/**
 * What a CPU state may hold to be loaded into this machine, so that a state from elsewhere (a migration
 * source, which may be hostile) never makes the emulator do what it cannot survive. Loading a segment
 * selector makes Unicorn read a descriptor outside any run of the guest; if that read faults (a
 * descriptor table over an unmapped page, a post-copy page not there yet), the engine unwinds into
 * nothing and the whole process dies. Writing an MSR or a control register can fault the same way.
 *
 * <p>So a state must be one a guest of this project can be in (guest_abi.h): paging registers exactly
 * as this machine sets them up (CR0, CR3 = the host's page tables, CR4, EFER: a guest never changes
 * them), the null selectors the machine starts every guest with (a guest never loads a segment
 * register, so restoring never reads a descriptor), descriptor tables as set up or inside guest RAM
 * (page 0 excluded), RIP inside guest RAM, RFLAGS without reserved or virtual-8086 bits, and canonical
 * FS/GS bases. General registers and RSP may hold anything.
 *
 * @param setup    the registers as this machine set them up before any guest ran
 * @param ramBytes the guest's RAM
 */
public record CpuStateRules(CpuState setup, long ramBytes) {
    /** RFLAGS bit 1 reads as one. */
    private static final long RFLAGS_FIXED_ONE = 1L << 1;
    /** Reserved RFLAGS bits (3, 5, 15, 22 and up) and VM (17): virtual-8086 mode does not exist in long mode. */
    private static final long RFLAGS_FORBIDDEN = (1L << 3) | (1L << 5) | (1L << 15) | (1L << 17) | (-1L << 22);
    private static final long MAX_TABLE_LIMIT = 0xffff;

    /** Throws {@link InvalidCpuStateException} naming the first register this machine cannot load. */
    public void check(CpuState s) {
        same("CR0", s.cr0(), setup.cr0(), "this machine's guests run with the paging the host set up");
        same("CR3", s.cr3(), setup.cr3(), "CR3 must point at this machine's own page tables");
        same("CR4", s.cr4(), setup.cr4(), "this machine's guests run with the paging the host set up");
        same("EFER", s.efer(), setup.efer(), "this machine's guests run in the long mode the host set up");
        same("CS", s.cs(), setup.cs(), SELECTOR_REASON);
        same("SS", s.ss(), setup.ss(), SELECTOR_REASON);
        same("DS", s.ds(), setup.ds(), SELECTOR_REASON);
        same("ES", s.es(), setup.es(), SELECTOR_REASON);
        same("FS", s.fs(), setup.fs(), SELECTOR_REASON);
        same("GS", s.gs(), setup.gs(), SELECTOR_REASON);
        table("GDTR", s.gdtrBase(), s.gdtrLimit(), setup.gdtrBase(), setup.gdtrLimit());
        table("IDTR", s.idtrBase(), s.idtrLimit(), setup.idtrBase(), setup.idtrLimit());
        if (s.rip() < GuestMemory.PAGE_SIZE || s.rip() >= ramBytes) {
            throw refused("RIP", s.rip(), "outside guest RAM [0x1000, 0x" + Long.toHexString(ramBytes) + ")");
        }
        if ((s.rflags() & RFLAGS_FIXED_ONE) == 0 || (s.rflags() & RFLAGS_FORBIDDEN) != 0) {
            throw refused("RFLAGS", s.rflags(), "reserved or virtual-8086 bits");
        }
        canonical("FS base", s.fsBase());
        canonical("GS base", s.gsBase());
    }

    private static final String SELECTOR_REASON = "guests of this machine never load segment registers";

    private static void same(String register, long value, long expected, String why) {
        if (value != expected) {
            throw new InvalidCpuStateException("CPU state: " + register + " 0x" + Long.toHexString(value)
                    + ", this machine requires 0x" + Long.toHexString(expected) + " (" + why + ")");
        }
    }

    private void table(String register, long base, long limit, long setupBase, long setupLimit) {
        if (base == setupBase && limit == setupLimit) {
            return;
        }
        if (limit < 0 || limit > MAX_TABLE_LIMIT || base < GuestMemory.PAGE_SIZE || base >= ramBytes
                || base + limit >= ramBytes) {
            throw new InvalidCpuStateException("CPU state: " + register + " base 0x" + Long.toHexString(base)
                    + " limit 0x" + Long.toHexString(limit) + " is neither this machine's setup nor a table inside"
                    + " guest RAM");
        }
    }

    private static void canonical(String register, long value) {
        long upper = value >> 47; // all ones or all zeros for a canonical 48-bit address
        if (upper != 0 && upper != -1) {
            throw refused(register, value, "not a canonical address");
        }
    }

    private static InvalidCpuStateException refused(String register, long value, String why) {
        return new InvalidCpuStateException("CPU state: " + register + " 0x" + Long.toHexString(value) + ": " + why);
    }
}
