package org.migrationlab.emulator.unicorn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Unicorn engine for one x86-64 vCPU: the only public face of libunicorn.
 *
 * <p>Threading: the vCPU thread owns the engine and makes every call except {@link #stop()}, which any
 * thread may call (Unicorn's {@code uc_emu_stop} only sets a flag). Hooks run on the vCPU thread, inside
 * {@link #start}. Close order: hooks, engine, then the arena that holds the upcall stubs (guest RAM is
 * owned by the caller and must outlive this engine).
 */
public final class Unicorn implements AutoCloseable {
    private static final int UC_ARCH_X86 = 4;
    private static final int UC_MODE_64 = 8;
    private static final int UC_HOOK_INTR = 1;
    private static final int UC_HOOK_INSN = 2;
    private static final int UC_HOOK_CODE = 4;
    private static final int UC_HOOK_MEM_UNMAPPED = 112;
    private static final int UC_HOOK_MEM_WRITE_PROT = 256;
    private static final int UC_X86_INS_IN = 218;
    private static final int UC_X86_INS_OUT = 500;
    private static final int UC_X86_REG_MSR = 248;
    private static final int UC_X86_REG_IDTR = 242;
    private static final int UC_X86_REG_GDTR = 243;
    // uc_ctl request codes: UC_CTL(type, nr, rw) = type | nr << 26 | rw << 30, with rw 1 for a write
    // (UC_CTL_IO_WRITE). Both requests below are writes: Unicorn answers UC_ERR_ARG to any other rw.
    private static final int UC_CTL_IO_WRITE = 1;
    private static final int UC_CTL_TB_REMOVE_CACHE = 9;
    private static final int UC_CTL_TB_FLUSH = 10;
    private static final int UC_CTL_TB_REMOVE_CACHE_WRITE = (UC_CTL_IO_WRITE << 30) | (2 << 26) | UC_CTL_TB_REMOVE_CACHE;
    private static final int UC_CTL_TB_FLUSH_WRITE = (UC_CTL_IO_WRITE << 30) | UC_CTL_TB_FLUSH;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final MemorySegment scratch;
    private final MemorySegment msrScratch;
    private final MemorySegment mmrScratch;
    private final List<Long> hooks = new ArrayList<>();
    private final AtomicReference<Throwable> hookFailure = new AtomicReference<>();
    private HookSink sink;
    private long instructionCount;
    private boolean closed;

    private Unicorn(MemorySegment handle) {
        this.handle = handle;
        this.scratch = arena.allocate(ValueLayout.JAVA_LONG);
        this.msrScratch = arena.allocate(16, 8);
        this.mmrScratch = arena.allocate(24, 8);
    }

    /** Opens an x86-64 engine. Throws {@link UnicornUnavailableException} if libunicorn is missing. */
    public static Unicorn openX86_64() {
        UnicornNative.requireAvailable();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(ValueLayout.ADDRESS);
            check((int) UnicornNative.uc_open.invokeExact(UC_ARCH_X86, UC_MODE_64, out), "uc_open");
            return new Unicorn(out.get(ValueLayout.ADDRESS, 0));
        } catch (UnicornException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("uc_open", t);
        }
    }

    /**
     * The loaded library's version, "major.minor.patch" as {@code uc_version} packs it (one byte each, from
     * the top). Throws {@link UnicornUnavailableException} if libunicorn is missing.
     */
    public static String libraryVersion() {
        UnicornNative.requireAvailable();
        try {
            int packed = (int) UnicornNative.uc_version.invokeExact(MemorySegment.NULL, MemorySegment.NULL);
            return (packed >>> 24 & 0xff) + "." + (packed >>> 16 & 0xff) + "." + (packed >>> 8 & 0xff);
        } catch (Throwable t) {
            throw rethrow(t, "uc_version");
        }
    }

    static void check(int code, String operation) {
        if (code != 0) {
            throw new UnicornException(UcError.of(code), operation, UnicornNative.strerror(code));
        }
    }

    private static RuntimeException rethrow(Throwable t, String operation) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(operation, t);
    }

    /** Protection bits of {@link #mapHostMemory(long, MemorySegment, int)} and {@link #protect}. */
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;
    public static final int PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;

    /** Maps host memory {@code host} (which must outlive the engine) at guest-physical {@code gpa}, with every access allowed. */
    public void mapHostMemory(long gpa, MemorySegment host) {
        mapHostMemory(gpa, host, PROT_ALL);
    }

    /**
     * Maps host memory {@code host} at guest-physical {@code gpa} with the given protection: a guest access
     * the protection forbids ends the run with a protection error (and the {@link HookSink#protectionFault}
     * hook), whatever the guest's page tables say. The host writes the memory directly, unaffected.
     */
    public void mapHostMemory(long gpa, MemorySegment host, int perms) {
        try {
            check((int) UnicornNative.uc_mem_map_ptr.invokeExact(handle, gpa, host.byteSize(), perms, host),
                    "uc_mem_map_ptr(0x" + Long.toHexString(gpa) + ", " + host.byteSize() + ")");
        } catch (Throwable t) {
            throw rethrow(t, "uc_mem_map_ptr");
        }
    }

    /** Changes the protection of a mapped physical region ({@code read/write/exec} bits 1/2/4). */
    public void protect(long gpa, long size, int perms) {
        try {
            check((int) UnicornNative.uc_mem_protect.invokeExact(handle, gpa, size, perms), "uc_mem_protect");
        } catch (Throwable t) {
            throw rethrow(t, "uc_mem_protect");
        }
    }

    public void memWrite(long gpa, MemorySegment bytes) {
        try {
            check((int) UnicornNative.uc_mem_write.invokeExact(handle, gpa, bytes, bytes.byteSize()), "uc_mem_write");
        } catch (Throwable t) {
            throw rethrow(t, "uc_mem_write");
        }
    }

    public void memRead(long gpa, MemorySegment into) {
        try {
            check((int) UnicornNative.uc_mem_read.invokeExact(handle, gpa, into, into.byteSize()), "uc_mem_read");
        } catch (Throwable t) {
            throw rethrow(t, "uc_mem_read");
        }
    }

    public long read(X86Register register) {
        try {
            check((int) UnicornNative.uc_reg_read.invokeExact(handle, register.id, scratch), "uc_reg_read");
        } catch (Throwable t) {
            throw rethrow(t, "uc_reg_read " + register);
        }
        return scratch.get(ValueLayout.JAVA_LONG, 0);
    }

    public void write(X86Register register, long value) {
        scratch.set(ValueLayout.JAVA_LONG, 0, value);
        try {
            check((int) UnicornNative.uc_reg_write.invokeExact(handle, register.id, scratch), "uc_reg_write");
        } catch (Throwable t) {
            throw rethrow(t, "uc_reg_write " + register);
        }
    }

    public long readMsr(int msr) {
        msrScratch.set(ValueLayout.JAVA_INT, 0, msr);
        msrScratch.set(ValueLayout.JAVA_LONG, 8, 0L);
        try {
            check((int) UnicornNative.uc_reg_read.invokeExact(handle, UC_X86_REG_MSR, msrScratch), "uc_reg_read MSR");
        } catch (Throwable t) {
            throw rethrow(t, "uc_reg_read MSR");
        }
        return msrScratch.get(ValueLayout.JAVA_LONG, 8);
    }

    public void writeMsr(int msr, long value) {
        msrScratch.set(ValueLayout.JAVA_INT, 0, msr);
        msrScratch.set(ValueLayout.JAVA_LONG, 8, value);
        try {
            check((int) UnicornNative.uc_reg_write.invokeExact(handle, UC_X86_REG_MSR, msrScratch), "uc_reg_write MSR");
        } catch (Throwable t) {
            throw rethrow(t, "uc_reg_write MSR");
        }
    }

    /** Base and limit of the GDTR or IDTR. */
    public record DescriptorTable(long base, long limit) {
    }

    /** Reads the IDTR ({@code idt = true}) or the GDTR (uc_x86_mmr: selector u16, base u64 @8, limit u32 @16). */
    public DescriptorTable readTable(boolean idt) {
        MemorySegment mmr = mmrScratch;
        mmr.fill((byte) 0);
        try {
            check((int) UnicornNative.uc_reg_read.invokeExact(handle, idt ? UC_X86_REG_IDTR : UC_X86_REG_GDTR, mmr),
                    "uc_reg_read descriptor table");
        } catch (Throwable t) {
            throw rethrow(t, "uc_reg_read descriptor table");
        }
        return new DescriptorTable(mmr.get(ValueLayout.JAVA_LONG, 8),
                Integer.toUnsignedLong(mmr.get(ValueLayout.JAVA_INT, 16)));
    }

    public void writeTable(boolean idt, long base, long limit) {
        MemorySegment mmr = mmrScratch;
        mmr.fill((byte) 0);
        mmr.set(ValueLayout.JAVA_LONG, 8, base);
        mmr.set(ValueLayout.JAVA_INT, 16, (int) limit);
        try {
            check((int) UnicornNative.uc_reg_write.invokeExact(handle, idt ? UC_X86_REG_IDTR : UC_X86_REG_GDTR, mmr),
                    "uc_reg_write descriptor table");
        } catch (Throwable t) {
            throw rethrow(t, "uc_reg_write descriptor table");
        }
    }

    /**
     * Runs from {@code begin} until a stop, a page fault the engine cannot deliver (it returns with CR2
     * set, see docs/EMULATOR.md, "Page faults without an IDT"), an error, or {@code until}. Guest runs pass
     * {@code until = 0}, the never-mapped null page, so that only those other events end them; the
     * timeout and instruction count are never used. Rethrows the first failure a hook recorded.
     */
    public void start(long begin, long until) {
        int code;
        try {
            code = (int) UnicornNative.uc_emu_start.invokeExact(handle, begin, until, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t, "uc_emu_start");
        }
        Throwable failure = hookFailure.getAndSet(null);
        if (failure != null) {
            throw new HookFailureException(failure);
        }
        check(code, "uc_emu_start");
    }

    /** Asks a running {@link #start} to return. Safe from any thread; a no-op when not running. */
    public void stop() {
        try {
            int ignored = (int) UnicornNative.uc_emu_stop.invokeExact(handle);
        } catch (Throwable t) {
            throw rethrow(t, "uc_emu_stop");
        }
    }

    /** Installs the interrupt, {@code in}, {@code out}, unmapped-access and write-protection hooks, all delivered to {@code sink}. */
    public void installHooks(HookSink hookSink) {
        if (sink != null) {
            throw new IllegalStateException("hooks already installed");
        }
        this.sink = hookSink;
        addHook(UC_HOOK_INTR, "onInterrupt", UnicornNative.INTERRUPT_HOOK, -1);
        addHook(UC_HOOK_INSN, "onOut", UnicornNative.OUT_HOOK, UC_X86_INS_OUT);
        addHook(UC_HOOK_INSN, "onIn", UnicornNative.IN_HOOK, UC_X86_INS_IN);
        addHook(UC_HOOK_MEM_UNMAPPED, "onUnmapped", UnicornNative.UNMAPPED_HOOK, -1);
        addHook(UC_HOOK_MEM_WRITE_PROT, "onWriteProtected", UnicornNative.UNMAPPED_HOOK, -1);
    }

    /**
     * Counts every executed instruction exactly, with an upcall per instruction: the guest runs tens of
     * times slower, so this is opt-in. Install before the first run (translated code keeps its hooks).
     */
    public void installInstructionCounter() {
        addHook(UC_HOOK_CODE, "onInstruction", UnicornNative.CODE_HOOK, -1);
    }

    public long instructionCount() {
        return instructionCount;
    }

    private void addHook(int type, String method, java.lang.foreign.FunctionDescriptor descriptor, int insn) {
        MethodHandle target = UnicornNative.upcallTarget(java.lang.invoke.MethodHandles.lookup(), this, method, descriptor);
        MemorySegment stub = UnicornNative.upcallStub(target, descriptor, arena);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(ValueLayout.JAVA_LONG);
            int code = insn < 0
                    ? (int) UnicornNative.uc_hook_add.invokeExact(handle, out, type, stub, MemorySegment.NULL, 1L, 0L)
                    : (int) UnicornNative.uc_hook_add_insn.invokeExact(handle, out, type, stub, MemorySegment.NULL,
                    1L, 0L, insn);
            check(code, "uc_hook_add " + method);
            hooks.add(out.get(ValueLayout.JAVA_LONG, 0));
        } catch (Throwable t) {
            throw rethrow(t, "uc_hook_add");
        }
    }

    /**
     * Drops every translated block (after the host changed guest code behind the engine's back). Slow in
     * 2.0.1, seconds rather than microseconds: prefer {@link #removeTranslations} for the pages changed.
     */
    public void flushTranslations() {
        try {
            check((int) UnicornNative.uc_ctl_0.invokeExact(handle, UC_CTL_TB_FLUSH_WRITE), "uc_ctl TB_FLUSH");
        } catch (Throwable t) {
            throw rethrow(t, "uc_ctl");
        }
    }

    /** Drops the translated blocks of guest-virtual range [begin, end). */
    public void removeTranslations(long begin, long end) {
        try {
            check((int) UnicornNative.uc_ctl_2.invokeExact(handle, UC_CTL_TB_REMOVE_CACHE_WRITE, begin, end),
                    "uc_ctl TB_REMOVE_CACHE");
        } catch (Throwable t) {
            throw rethrow(t, "uc_ctl");
        }
    }

    // ---- upcalls: each catches everything, records it and stops emulation (an escape kills the JVM)

    @SuppressWarnings("unused")
    private void onInterrupt(MemorySegment uc, int vector, MemorySegment user) {
        try {
            sink.interrupt(vector);
        } catch (Throwable t) {
            fail(t);
        }
    }

    @SuppressWarnings("unused")
    private void onOut(MemorySegment uc, int port, int size, int value, MemorySegment user) {
        try {
            sink.out(port, size, value);
        } catch (Throwable t) {
            fail(t);
        }
    }

    @SuppressWarnings("unused")
    private int onIn(MemorySegment uc, int port, int size, MemorySegment user) {
        try {
            return sink.in(port, size);
        } catch (Throwable t) {
            fail(t);
            return 0;
        }
    }

    @SuppressWarnings("unused")
    private boolean onUnmapped(MemorySegment uc, int type, long address, int size, long value, MemorySegment user) {
        try {
            sink.unmapped(address);
        } catch (Throwable t) {
            fail(t);
        }
        return false; // never map on demand: the engine stops with UC_ERR_*_UNMAPPED
    }

    @SuppressWarnings("unused")
    private boolean onWriteProtected(MemorySegment uc, int type, long address, int size, long value, MemorySegment user) {
        try {
            sink.protectionFault(address);
        } catch (Throwable t) {
            fail(t);
        }
        return false; // the write does not happen: the engine stops with UC_ERR_WRITE_PROT
    }

    @SuppressWarnings("unused")
    private void onInstruction(MemorySegment uc, long address, int size, MemorySegment user) {
        instructionCount++;
    }

    private void fail(Throwable t) {
        hookFailure.compareAndSet(null, t);
        try {
            int ignored = (int) UnicornNative.uc_emu_stop.invokeExact(handle);
        } catch (Throwable ignored) {
            // the failure is already recorded; nothing else can be done inside an upcall
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (long hook : hooks) {
                int ignored = (int) UnicornNative.uc_hook_del.invokeExact(handle, hook);
            }
            hooks.clear();
            int ignored = (int) UnicornNative.uc_close.invokeExact(handle);
        } catch (Throwable t) {
            throw rethrow(t, "uc_close");
        } finally {
            arena.close();
        }
    }
}
