package org.migrationlab.emulator.unicorn;

/**
 * Receives the engine's hooks on the thread that runs {@link Unicorn#start}. Implementations may throw:
 * the binding catches everything, records it and stops emulation, because an exception escaping an
 * upcall terminates the JVM.
 */
public interface HookSink {
    /** A CPU exception or interrupt that Unicorn hands to the host instead of the guest. */
    void interrupt(int vector);

    /**
     * An {@code out} instruction. RIP is stale here (it holds the start of the translated block); registers
     * other than RIP are current. A stop issued here lands at the end of the block (docs/EMULATOR.md,
     * "Inside an out hook").
     */
    void out(int port, int size, int value);

    /**
     * An access to an address with no physical memory behind it. Unicorn 2.0.1 checks the virtual
     * address against its physical regions before walking the page tables, so with identity paging an
     * access beyond RAM arrives here instead of as a page fault. The run then ends with an error.
     */
    void unmapped(long address);

    /**
     * A write to memory mapped without write access ({@link Unicorn#mapHostMemory(long,
     * java.lang.foreign.MemorySegment, int)}): the write does not happen and the run ends with an error.
     */
    void protectionFault(long address);

    /** An {@code in} instruction; the return value lands in EAX/AX/AL. */
    int in(int port, int size);
}
