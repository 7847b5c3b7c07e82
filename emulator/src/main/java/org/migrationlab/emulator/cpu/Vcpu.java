package org.migrationlab.emulator.cpu;

import java.util.concurrent.TimeUnit;

import org.migrationlab.emulator.devices.BadHypercallException;
import org.migrationlab.emulator.devices.DeferredWork;
import org.migrationlab.emulator.devices.DeviceBus;
import org.migrationlab.emulator.devices.HypercallContext;
import org.migrationlab.emulator.devices.HypercallOutcome;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.unicorn.HookFailureException;
import org.migrationlab.emulator.unicorn.HookSink;
import org.migrationlab.emulator.unicorn.UcError;
import org.migrationlab.emulator.unicorn.Unicorn;
import org.migrationlab.emulator.unicorn.UnicornException;
import org.migrationlab.emulator.unicorn.X86Register;

/**
 * One x86-64 vCPU: runs the guest in slices and turns every way a slice can end into a typed
 * {@link VcpuExit}. Page faults follow the discipline Unicorn 2.0.1 needs without a guest IDT: the
 * engine reports only the first two faults to the interrupt hook and later ones through CR2 alone, so
 * CR2 is zeroed before each start, vectors 14 and 8 stop the slice, guest runs pass until = 0, and a
 * slice is classified after it returned (docs/EMULATOR.md, "Page faults without an IDT").
 *
 * <p>Pauses are cooperative. Unicorn 2.0.1 can end an asynchronous {@code uc_emu_stop} in the middle of
 * a translated block, after a memory access, and then restart that block from its first instruction,
 * so guest instructions run twice (measured: a loop of three increments drifts apart at every such
 * stop). A pause therefore only sets a flag; the vCPU stops where the state is exact: before a slice
 * starts, at a page fault, or inside the next hypercall, whose {@code out} the ABI macro follows with
 * a jump so the block ends right there (docs/EMULATOR.md, "Stopping a running guest").
 *
 * <p>Threading: one owner thread (the vCPU thread) calls everything except {@link #requestPause()} and
 * {@link #awaitPause}, which any thread may call.
 */
public final class Vcpu implements HookSink, HypercallContext {
    private static final int VECTOR_PAGE_FAULT = 14;
    private static final int VECTOR_DOUBLE_FAULT = 8;
    private static final long CR0_PE = 1L;
    private static final long CR0_WP = 1L << 16;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final int MSR_EFER = 0xC0000080;
    private static final int MAX_REPEATED_FAULTS = 3;

    private final Unicorn engine;
    private final MemoryMap memory;
    private final DeviceBus devices;
    private final Object pauseLock = new Object();
    private volatile boolean pauseRequested;
    private long pauseRequests; // guarded by pauseLock
    private long pauseAcks;     // guarded by pauseLock

    // Per-slice hook results, written and read on the vCPU thread only.
    private int unexpectedVector = -1;
    private long unmappedAddress = -1;
    private long protectedAddress = -1;
    private volatile boolean retired;
    private HypercallOutcome hypercallOutcome;
    private String badHypercall;
    private long lastFaultGpa = -1;
    private long lastFaultRip = -1;
    private int repeatedFaults;
    private volatile boolean inSlice;
    private long slices;
    /** The registers as this machine set them up: what a restored state must keep, and what the guest must not change. */
    private CpuStateRules rules;

    public Vcpu(Unicorn engine, MemoryMap memory, DeviceBus devices) {
        this.engine = engine;
        this.memory = memory;
        this.devices = devices;
        engine.installHooks(this);
        memory.useTlbFlush(this::flushTlb);
        rules = new CpuStateRules(captureState(), memory.ram().sizeBytes());
    }

    /** Turns on host paging: CR3 = host PML4, PAE, PG + PE + WP (WP makes ring-0 honour read-only PTEs). */
    public void enablePaging() {
        engine.write(X86Register.CR3, memory.pageTable().root());
        engine.write(X86Register.CR4, engine.read(X86Register.CR4) | CR4_PAE);
        engine.write(X86Register.CR0, engine.read(X86Register.CR0) | CR0_PG | CR0_PE | CR0_WP);
        rules = new CpuStateRules(captureState(), memory.ram().sizeBytes());
    }

    /**
     * Takes the engine's control registers now as the host's setup, after the host itself changed them
     * (only the tests of engine facts do, to show what paging without CR0.WP would let through).
     */
    void adoptHostSetup() {
        rules = new CpuStateRules(captureState(), memory.ram().sizeBytes());
    }

    public long slices() {
        return slices;
    }

    /** Runs the guest from its current RIP until the next exit. */
    public VcpuExit runSlice() {
        if (pauseRequested) {
            return acknowledgePause();
        }
        unexpectedVector = -1;
        unmappedAddress = -1;
        protectedAddress = -1;
        hypercallOutcome = null;
        badHypercall = null;
        long rip = engine.read(X86Register.RIP);
        engine.write(X86Register.CR2, 0);
        slices++;
        inSlice = true;
        try {
            engine.start(rip, 0);
        } catch (HookFailureException e) {
            return new VcpuExit.Error(e.getCause());
        } catch (UnicornException e) {
            if (protectedAddress >= 0) {
                return new VcpuExit.GuestCrash(CrashKind.PAGE_TABLE_WRITE, engine.read(X86Register.RIP),
                        protectedAddress, "RIP of the enclosing block");
            }
            if (unmappedAddress >= 0) {
                // RIP is that of the translated block holding the access (the engine restores no more).
                return new VcpuExit.GuestCrash(CrashKind.OUTSIDE_RAM, engine.read(X86Register.RIP), unmappedAddress,
                        "RIP of the enclosing block");
            }
            if (isGuestCaused(e.error())) {
                String detail = (e.error() == UcError.INSN_INVALID ? "invalid instruction, " : "") + e.error()
                        + (unexpectedVector >= 0 ? ", vector " + unexpectedVector : "");
                return new VcpuExit.GuestCrash(CrashKind.EXCEPTION, engine.read(X86Register.RIP), -1, detail);
            }
            return new VcpuExit.Error(e);
        } finally {
            inSlice = false;
        }
        return classify();
    }

    /** Engine errors that a guest instruction caused (as opposed to host or engine failures). */
    private static boolean isGuestCaused(UcError error) {
        return switch (error) {
            case INSN_INVALID, EXCEPTION, READ_UNMAPPED, WRITE_UNMAPPED, FETCH_UNMAPPED, READ_PROT, WRITE_PROT,
                 FETCH_PROT, READ_UNALIGNED, WRITE_UNALIGNED, FETCH_UNALIGNED -> true;
            default -> false;
        };
    }

    private VcpuExit classify() {
        long rip = engine.read(X86Register.RIP);
        if (badHypercall != null) {
            return new VcpuExit.GuestCrash(CrashKind.BAD_HYPERCALL, rip, -1, badHypercall);
        }
        if (hypercallOutcome instanceof HypercallOutcome.Exit(long result, long status)) {
            return new VcpuExit.Halt(result, status);
        }
        VcpuExit.GuestCrash leftHostPaging = pagingChanged(rip);
        if (leftHostPaging != null) {
            return leftHostPaging;
        }
        long cr2 = engine.read(X86Register.CR2);
        if (cr2 != 0) {
            return pageFault(cr2, rip);
        }
        if (hypercallOutcome instanceof HypercallOutcome.ReturnToHost(int port, int operation, DeferredWork work)) {
            return new VcpuExit.Hypercall(port, operation, work);
        }
        if (pauseRequested) {
            return acknowledgePause();
        }
        if (unexpectedVector == VECTOR_PAGE_FAULT || unexpectedVector == VECTOR_DOUBLE_FAULT) {
            // A #PF whose CR2 is 0: an access to address 0 itself.
            return new VcpuExit.GuestCrash(CrashKind.NULL_PAGE, rip, 0, "");
        }
        String detail = unexpectedVector >= 0 ? "vector " + unexpectedVector : "exception swallowed by the engine";
        return new VcpuExit.GuestCrash(CrashKind.EXCEPTION, rip, -1, detail);
    }

    /**
     * A guest that runs on page tables of its own, or with paging or write protection off, escapes dirty
     * logging and absent pages: it is stopped at the first exit where it is found so (a guest may switch
     * and switch back between two exits; it can then reach only its own RAM, since the host's tables are
     * read-only to it). Two register reads per exit.
     */
    private VcpuExit.GuestCrash pagingChanged(long rip) {
        long cr3 = engine.read(X86Register.CR3);
        long cr0 = engine.read(X86Register.CR0);
        if (cr3 == rules.setup().cr3() && cr0 == rules.setup().cr0()) {
            return null;
        }
        return new VcpuExit.GuestCrash(CrashKind.PAGING_CHANGED, rip, -1, "CR3 0x" + Long.toHexString(cr3)
                + ", CR0 0x" + Long.toHexString(cr0) + "; the host set 0x" + Long.toHexString(rules.setup().cr3())
                + " and 0x" + Long.toHexString(rules.setup().cr0()));
    }

    private VcpuExit pageFault(long gpa, long rip) {
        if (gpa < 0 || gpa >= memory.ram().sizeBytes()) {
            return new VcpuExit.GuestCrash(CrashKind.OUTSIDE_RAM, rip, gpa, "");
        }
        long page = gpa >>> GuestMemory.PAGE_SHIFT;
        if (gpa == lastFaultGpa && rip == lastFaultRip) {
            if (++repeatedFaults >= MAX_REPEATED_FAULTS) {
                return new VcpuExit.GuestCrash(CrashKind.FAULT_LOOP, rip, gpa, memory.state(page).toString());
            }
        } else {
            lastFaultGpa = gpa;
            lastFaultRip = rip;
            repeatedFaults = 0;
        }
        PageState state = memory.state(page);
        switch (state) {
            case GUARD -> {
                return new VcpuExit.GuestCrash(CrashKind.NULL_PAGE, rip, gpa, "");
            }
            case BALLOONED -> {
                return new VcpuExit.GuestCrash(CrashKind.BALLOONED_PAGE, rip, gpa, "page " + page);
            }
            case PRESENT -> {
                // Present but faulting: only a write to a write-protected page does that.
                return new VcpuExit.PageFault(page, gpa, Access.WRITE, rip);
            }
            case ABSENT -> {
                long ripPage = rip >>> GuestMemory.PAGE_SHIFT;
                boolean fetch = page == ripPage || page == (rip + 15) >>> GuestMemory.PAGE_SHIFT;
                return new VcpuExit.PageFault(page, gpa, fetch ? Access.FETCH : Access.READ_OR_WRITE, rip);
            }
        }
        throw new IllegalStateException("unreachable: " + state);
    }

    // ---- pause

    /**
     * Asks the vCPU to stop at the next clean point and returns at once with a ticket for
     * {@link #awaitPause}. Any thread.
     */
    public long requestPause() {
        long ticket;
        synchronized (pauseLock) {
            ticket = ++pauseRequests;
            pauseRequested = true;
        }
        return ticket;
    }

    /**
     * Waits until the pause with this ticket was acknowledged (or the vCPU was released because it will
     * not run again). Returns false on timeout, e.g. for a guest that neither makes hypercalls nor faults.
     */
    public boolean awaitPause(long ticket, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (pauseLock) {
            while (pauseAcks < ticket && !retired) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(pauseLock, left);
            }
            return true;
        }
    }

    /**
     * Stops a guest that cannot be paused cooperatively (it makes no hypercall and takes no fault), for
     * discarding it only: Unicorn 2.0.1 may end an asynchronous stop in the middle of a translated block
     * and restart the block from its beginning, re-running guest instructions, so the state after this
     * is not trustworthy.
     */
    public void abandon() {
        retired = true;
        releasePausers();
        if (inSlice) {
            engine.stop();
        }
    }

    private VcpuExit acknowledgePause() {
        // The host may change pages while paused (re-arm write protection, take a page away), so the same
        // fault after a pause is a new one, not a loop: on a loaded host a vCPU paused before it could retire
        // the faulting instruction, three times in a row, was once stopped as a "fault loop".
        lastFaultGpa = -1;
        repeatedFaults = 0;
        releasePausers();
        return new VcpuExit.Paused();
    }

    /** Acknowledges every pause requested so far (also used when the vCPU will not run again). */
    public void releasePausers() {
        synchronized (pauseLock) {
            pauseRequested = false;
            pauseAcks = pauseRequests;
            pauseLock.notifyAll();
        }
    }

    /** The vCPU will never run again (halted, crashed, closed): every pause, now or later, completes. */
    public void retire() {
        retired = true;
        releasePausers();
    }

    public boolean isPauseRequested() {
        return pauseRequested;
    }

    // ---- TLB flush by guest stub: writing CR3 through the register API does not flush the engine's TLB,
    // a CR3 write executed by the guest does (docs/EMULATOR.md, "The TLB")

    private void flushTlb() {
        long rax = engine.read(X86Register.RAX);
        long rip = engine.read(X86Register.RIP);
        long stub = memory.pageTable().stubGpa();
        long end = memory.pageTable().stubEnd();
        // A concurrent pause may cut the stub short; run it until it really reached its end.
        for (int attempt = 0; ; attempt++) {
            engine.start(stub, end);
            if (engine.read(X86Register.RIP) == end) {
                break;
            }
            if (attempt > 1000) {
                throw new IllegalStateException("TLB flush stub did not complete");
            }
        }
        engine.write(X86Register.RAX, rax);
        engine.write(X86Register.RIP, rip);
        engine.write(X86Register.CR2, 0);
    }

    // ---- CPU state

    public CpuState captureState() {
        return new CpuState(
                engine.read(X86Register.RAX), engine.read(X86Register.RBX), engine.read(X86Register.RCX),
                engine.read(X86Register.RDX), engine.read(X86Register.RSI), engine.read(X86Register.RDI),
                engine.read(X86Register.RBP), engine.read(X86Register.RSP),
                engine.read(X86Register.R8), engine.read(X86Register.R9), engine.read(X86Register.R10),
                engine.read(X86Register.R11), engine.read(X86Register.R12), engine.read(X86Register.R13),
                engine.read(X86Register.R14), engine.read(X86Register.R15),
                engine.read(X86Register.RIP), engine.read(X86Register.RFLAGS),
                engine.read(X86Register.CS), engine.read(X86Register.DS), engine.read(X86Register.ES),
                engine.read(X86Register.FS), engine.read(X86Register.GS), engine.read(X86Register.SS),
                engine.read(X86Register.FS_BASE), engine.read(X86Register.GS_BASE),
                engine.read(X86Register.CR0), engine.read(X86Register.CR3), engine.read(X86Register.CR4),
                engine.readMsr(MSR_EFER),
                engine.readTable(false).base(), engine.readTable(false).limit(),
                engine.readTable(true).base(), engine.readTable(true).limit());
    }

    /**
     * Throws {@link InvalidCpuStateException} if {@code s} is not a state this machine can load
     * ({@link CpuStateRules}); changes nothing.
     */
    public void checkRestorable(CpuState s) {
        rules.check(s);
    }

    /**
     * Loads a captured state after {@link #checkRestorable checking} it. Control registers, EFER and
     * selectors equal this machine's then, so only general registers, RIP, RFLAGS, FS/GS bases and
     * the descriptor-table registers are written (none of which reads guest memory).
     */
    public void restoreState(CpuState s) {
        rules.check(s);
        writeIfDifferent(X86Register.CR0, s.cr0());
        writeIfDifferent(X86Register.CR4, s.cr4());
        writeIfDifferent(X86Register.CR3, s.cr3());
        if (engine.readMsr(MSR_EFER) != s.efer()) {
            engine.writeMsr(MSR_EFER, s.efer());
        }
        engine.writeTable(false, s.gdtrBase(), s.gdtrLimit());
        engine.writeTable(true, s.idtrBase(), s.idtrLimit());
        writeIfDifferent(X86Register.CS, s.cs());
        writeIfDifferent(X86Register.DS, s.ds());
        writeIfDifferent(X86Register.ES, s.es());
        writeIfDifferent(X86Register.FS, s.fs());
        writeIfDifferent(X86Register.GS, s.gs());
        writeIfDifferent(X86Register.SS, s.ss());
        engine.write(X86Register.FS_BASE, s.fsBase());
        engine.write(X86Register.GS_BASE, s.gsBase());
        engine.write(X86Register.RAX, s.rax());
        engine.write(X86Register.RBX, s.rbx());
        engine.write(X86Register.RCX, s.rcx());
        engine.write(X86Register.RDX, s.rdx());
        engine.write(X86Register.RSI, s.rsi());
        engine.write(X86Register.RDI, s.rdi());
        engine.write(X86Register.RBP, s.rbp());
        engine.write(X86Register.RSP, s.rsp());
        engine.write(X86Register.R8, s.r8());
        engine.write(X86Register.R9, s.r9());
        engine.write(X86Register.R10, s.r10());
        engine.write(X86Register.R11, s.r11());
        engine.write(X86Register.R12, s.r12());
        engine.write(X86Register.R13, s.r13());
        engine.write(X86Register.R14, s.r14());
        engine.write(X86Register.R15, s.r15());
        engine.write(X86Register.RFLAGS, s.rflags());
        engine.write(X86Register.RIP, s.rip());
        flushTlb();
    }

    private void writeIfDifferent(X86Register register, long value) {
        if (engine.read(register) != value) {
            engine.write(register, value);
        }
    }

    public void setEntry(long rip, long rsp, long rdi) {
        engine.write(X86Register.RIP, rip);
        engine.write(X86Register.RSP, rsp);
        engine.write(X86Register.RDI, rdi);
        engine.write(X86Register.RFLAGS, 0x2);
    }

    public long rip() {
        return engine.read(X86Register.RIP);
    }

    /** Drops translated code of one page after the host rewrote a page that may hold executed code. */
    public void forgetTranslations(long page) {
        long gpa = page << GuestMemory.PAGE_SHIFT;
        engine.removeTranslations(gpa, gpa + GuestMemory.PAGE_SIZE);
    }

    // ---- hooks (vCPU thread, inside start)

    @Override
    public void interrupt(int vector) {
        if (vector != VECTOR_PAGE_FAULT && vector != VECTOR_DOUBLE_FAULT) {
            unexpectedVector = vector;
        } else if (unexpectedVector < 0) {
            unexpectedVector = vector;
        }
        engine.stop();
    }

    @Override
    public void unmapped(long address) {
        unmappedAddress = address;
    }

    @Override
    public void out(int port, int size, int value) {
        if (badHypercall != null || hypercallOutcome instanceof HypercallOutcome.Exit) {
            engine.stop();
            return; // the rest of the translated block runs before the stop lands; ignore it
        }
        boolean stopping = false;
        try {
            HypercallOutcome outcome = devices.dispatch(port, value, this);
            if (outcome instanceof HypercallOutcome.ReturnToHost next
                    && hypercallOutcome instanceof HypercallOutcome.ReturnToHost previous) {
                // A second return in the same translated block (a guest without the jump after its out):
                // keep the work of both, in order.
                outcome = new HypercallOutcome.ReturnToHost(next.port(), next.operation(),
                        previous.work().andThen(next.work()));
            }
            if (!(outcome instanceof HypercallOutcome.Continue)) {
                hypercallOutcome = outcome;
                engine.stop();
                stopping = true;
            }
        } catch (BadHypercallException e) {
            badHypercall = "port 0x" + Integer.toHexString(port) + ": " + e.getMessage();
            engine.stop();
            return;
        }
        // Checked after the dispatch, so that a pause the hypercall's own handler asked for (a progress threshold
        // that parks the guest) lands at this out rather than at the next one.
        if (pauseRequested && !stopping) {
            engine.stop(); // a clean point: the block ends at the jump that follows the out (guest_abi.h)
        }
    }

    @Override
    public void protectionFault(long address) {
        protectedAddress = address;
    }

    @Override
    public int in(int port, int size) {
        badHypercall = "port 0x" + Integer.toHexString(port) + ": the ABI has no 'in' hypercalls";
        engine.stop();
        return 0;
    }

    // ---- HypercallContext, valid only inside out()

    @Override
    public long arg0() {
        return engine.read(X86Register.RDI);
    }

    @Override
    public long arg1() {
        return engine.read(X86Register.RSI);
    }

    @Override
    public long arg2() {
        return engine.read(X86Register.RDX);
    }

    @Override
    public void result(long value) {
        engine.write(X86Register.RAX, value);
    }

    @Override
    public byte[] readGuest(long gpa, int length) {
        requirePresent(gpa, length);
        return memory.ram().read(gpa, length);
    }

    @Override
    public void writeGuest(long gpa, byte[] bytes) {
        requirePresent(gpa, bytes.length);
        memory.ram().write(gpa, bytes);
        memory.noteHostWrite(gpa, bytes.length);
    }

    private void requirePresent(long gpa, long length) {
        if (!memory.ram().contains(gpa, length)) {
            throw new BadHypercallException("buffer [0x" + Long.toHexString(gpa) + ", +" + length + ") outside RAM");
        }
        if (length == 0) {
            return;
        }
        for (long page = gpa >>> GuestMemory.PAGE_SHIFT; page <= (gpa + length - 1) >>> GuestMemory.PAGE_SHIFT; page++) {
            if (memory.state(page) != PageState.PRESENT) {
                throw new BadHypercallException("buffer page " + page + " is " + memory.state(page)
                        + " (touch hypercall buffers before the call)");
            }
        }
    }

}
