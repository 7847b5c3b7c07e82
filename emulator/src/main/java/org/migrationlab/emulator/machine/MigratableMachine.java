package org.migrationlab.emulator.machine;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.Function;

import org.migrationlab.emulator.cpu.InvalidCpuStateException;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.devices.CounterDevice;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.port.AbsentPageHandler;
import org.migrationlab.emulator.port.BalloonControl;
import org.migrationlab.emulator.port.ConcurrentPageBitmap;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.port.FrozenGuest;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestProgress;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.InvalidGuestStateException;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.port.PageSink;
import org.migrationlab.emulator.port.PageWriter;

/**
 * The emulator's side of the migration port: one {@link Machine} and, once started, the {@link VcpuRunner}
 * that owns its vCPU thread. Every command of {@link Migratable} becomes one piece of work at a clean
 * pause of that thread; page reads and fills touch guest RAM directly under the port's contracts.
 *
 * <p>Threading: see {@link Migratable}. Before {@link #start}, the thread that builds the machine up owns it
 * (a destination session, which serialises its calls). {@link #fillPage} runs on any thread: it writes only
 * pages that are absent, which the guest cannot see, and records them in a concurrent bitmap.
 */
public final class MigratableMachine implements Migratable {
    private static final AtomicInteger VCPU_NUMBERS = new AtomicInteger();
    /** The vCPU thread's name: {@code vcpu-N} for a guest booted here, {@code vcpu-incoming-N} for a restored one. */
    public static final String VCPU_THREAD_PREFIX = "vcpu-";
    public static final String INCOMING_VCPU_THREAD_PREFIX = "vcpu-incoming-";

    private final Machine machine;
    private final MemoryMap memory;
    private final LiveCounters progress = new LiveCounters();
    private final CompletableFuture<GuestEnd> ended = new CompletableFuture<>();
    /** Pages whose RAM this machine's owner wrote (a page never written is zero without looking). */
    private final ConcurrentPageBitmap written;
    /**
     * Absent pages whose contents arrived ({@link #fillPage}, {@link #fillZeroPage}): what {@link #mapFilledPages}
     * maps. Not {@link #written}: a zero page that arrived need not be written, yet must be mapped like any
     * other, or it stays absent after post-copy (and the balloon refuses to take it).
     */
    private final ConcurrentPageBitmap filled;
    private final List<Threshold> thresholds = new ArrayList<>(); // guarded by itself
    private volatile VcpuRunner runner;
    private volatile String absentPageFailure;
    private boolean installed;
    private boolean parkAtStart; // guarded by this

    private record Threshold(long units, CompletableFuture<Void> reached) {
    }

    MigratableMachine(Machine machine) {
        this.machine = machine;
        this.memory = machine.memory();
        this.written = new ConcurrentPageBitmap(memory.pageCount());
        this.filled = new ConcurrentPageBitmap(memory.pageCount());
        machine.counters().listener(this::progressed);
    }

    /** The machine behind the port, for the emulator's own tests and benchmarks. */
    Machine machine() {
        return machine;
    }

    @Override
    public MachineConfig config() {
        return machine.config();
    }

    @Override
    public long pageCount() {
        return memory.pageCount();
    }

    // ---- running

    @Override
    public void start() {
        launch(VCPU_THREAD_PREFIX, FaultHandler.NONE);
    }

    @Override
    public void start(AbsentPageHandler absentPages) {
        launch(INCOMING_VCPU_THREAD_PREFIX, (fault, m) -> {
            long page = fault.pageNumber();
            if (m.memory().state(page) != PageState.ABSENT) {
                return FaultHandler.Resolution.RETURN;
            }
            return switch (absentPages.onAbsentPage(page)) {
                case AbsentPageHandler.Resolution.Map map -> {
                    m.memory().map(page);
                    absentPages.onMapped(page);
                    yield FaultHandler.Resolution.RESUME;
                }
                case AbsentPageHandler.Resolution.Fail fail -> {
                    absentPageFailure = fail.reason();
                    yield FaultHandler.Resolution.RETURN;
                }
            };
        });
    }

    private synchronized void launch(String threadPrefix, FaultHandler faults) {
        if (runner != null) {
            throw new IllegalStateException("the machine was started already");
        }
        VcpuRunner started = VcpuRunner.start(machine, faults, threadPrefix + VCPU_NUMBERS.getAndIncrement(),
                parkAtStart);
        runner = started;
        started.finished().whenComplete((exit, error) -> ended.complete(
                error != null ? new GuestEnd.Failed(String.valueOf(error)) : end(exit)));
    }

    private GuestEnd end(VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Halt halt -> new GuestEnd.Halted(halt.result(), halt.status());
            case VcpuExit.GuestCrash crash -> new GuestEnd.Crashed(crash.kind().name(), crash.rip(), crash.address(),
                    crash.message());
            case VcpuExit.Error error -> new GuestEnd.Failed(String.valueOf(error.cause()));
            case VcpuExit.PageFault fault -> new GuestEnd.Failed(absentPageFailure != null ? absentPageFailure
                    : "unresolved page fault on page " + fault.pageNumber() + " at RIP 0x" + Long.toHexString(fault.rip()));
            case VcpuExit.Paused paused -> new GuestEnd.Failed("the vCPU stopped before the guest ended");
            case VcpuExit.Hypercall hypercall -> new GuestEnd.Failed("the vCPU stopped at a hypercall on port 0x"
                    + Integer.toHexString(hypercall.port()));
        };
    }

    @Override
    public CompletableFuture<GuestEnd> ended() {
        return ended;
    }

    @Override
    public GuestProgress progress() {
        return progress;
    }

    @Override
    public CompletableFuture<Void> progressReached(long units) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        synchronized (thresholds) {
            if (progress.units() >= units) {
                reached.complete(null);
            } else {
                thresholds.add(new Threshold(units, reached));
            }
        }
        return reached;
    }

    /** The counter device's listener (vCPU thread). */
    private void progressed(int counter, long value) {
        progress.update(counter, value, machine.clock().nanos());
        if (counter == CounterDevice.PROGRESS) {
            synchronized (thresholds) {
                if (!thresholds.isEmpty()) {
                    thresholds.removeIf(t -> {
                        if (value >= t.units()) {
                            t.reached().complete(null);
                            return true;
                        }
                        return false;
                    });
                }
            }
        }
    }

    // ---- vCPU commands

    @Override
    public CompletableFuture<Void> startDirtyLog(DirtyLogMode mode) {
        return onVcpu(m -> {
            m.memory().dirtyLog().start(mode);
            return null;
        }, VcpuRunner.Then.RESUME);
    }

    @Override
    public CompletableFuture<PageBitmap> harvestDirtyLog() {
        return onVcpu(m -> m.memory().dirtyLog().harvest(), VcpuRunner.Then.RESUME);
    }

    @Override
    public CompletableFuture<FrozenGuest> freeze() {
        return onVcpu(m -> {
            long stopped = System.nanoTime(); // the vCPU runs this only once it has left the guest's code
            PageBitmap dirty = new PageBitmap(m.memory().pageCount());
            if (m.memory().dirtyLog().isActive()) {
                m.memory().dirtyLog().harvestInto(dirty);
                m.memory().dirtyLog().stop();
            }
            GuestState state = new GuestState(m.saveCpu(), m.saveDevices(), m.memory().pagesIn(PageState.BALLOONED));
            return new FrozenGuest(state, dirty, m.counters().value(CounterDevice.PROGRESS), balloonFigures(),
                    m.exits().dirtyLogFaults(), stopped);
        }, VcpuRunner.Then.HOLD);
    }

    @Override
    public CompletableFuture<Void> resume() {
        throttle(0);
        return onVcpu(m -> {
            if (m.memory().dirtyLog().isActive()) {
                m.memory().dirtyLog().stop();
            }
            return null;
        }, VcpuRunner.Then.RESUME);
    }

    @Override
    public void throttle(int percent) {
        requireStarted().throttle(percent);
    }

    @Override
    public int throttlePercent() {
        VcpuRunner current = runner;
        return current == null ? 0 : current.throttlePercent();
    }

    /** Wall time the vCPU slept because of the throttle (for tests and benchmarks of the throttle). */
    long throttledNanos() {
        VcpuRunner current = runner;
        return current == null ? 0 : current.throttledNanos();
    }

    @Override
    public CompletableFuture<String> echoConsole(Consumer<String> lines) {
        synchronized (this) {
            if (runner == null) {
                machine.console().echoLinesTo(lines);
                return CompletableFuture.completedFuture(machine.console().text());
            }
        }
        return onVcpu(m -> {
            m.console().echoLinesTo(lines);
            return m.console().text();
        }, VcpuRunner.Then.RESUME);
    }

    @Override
    public CompletableFuture<Void> mapFilledPages() {
        return onVcpu(m -> {
            filled.snapshot().forEach(page -> {
                if (m.memory().state(page) == PageState.ABSENT) {
                    m.memory().map(page);
                }
            });
            return null;
        }, VcpuRunner.Then.RESUME);
    }

    @Override
    public void release() {
        VcpuRunner current = runner;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public CompletableFuture<GuestSummary> summary() {
        VcpuRunner current = runner;
        if (current == null || current.isStopped()) {
            return CompletableFuture.completedFuture(summarize(machine));
        }
        return onVcpu(this::summarize, VcpuRunner.Then.RESUME);
    }

    private GuestSummary summarize(Machine m) {
        return new GuestSummary(m.console().text(), m.console().droppedBytes(), m.counters().values(),
                m.memory().hash(), m.exits().asMap(), m.exits().pageFaults(), m.clock().nanos(),
                m.instructionsExecuted(), balloonFigures());
    }

    private BalloonControl.BalloonFigures balloonFigures() {
        return balloon().map(BalloonControl::figures).orElse(BalloonControl.BalloonFigures.NONE);
    }

    @Override
    public synchronized void park(boolean park) {
        if (runner == null) {
            parkAtStart = park;
        } else {
            runner.park(park);
        }
    }

    /** For the emulator's test fixtures only: a read of the whole machine at a pause (or directly when not running). */
    <T> CompletableFuture<T> probe(Function<Machine, T> read) {
        VcpuRunner current = runner;
        if (current == null || current.isStopped()) {
            return CompletableFuture.completedFuture(read.apply(machine));
        }
        return current.atPause(read, VcpuRunner.Then.RESUME);
    }

    private <T> CompletableFuture<T> onVcpu(Function<Machine, T> work, VcpuRunner.Then then) {
        return requireStarted().atPause(work, then);
    }

    private VcpuRunner requireStarted() {
        VcpuRunner current = runner;
        if (current == null) {
            throw new IllegalStateException("the machine has not been started");
        }
        return current;
    }

    // ---- pages

    @Override
    public boolean isBallooned(long page) {
        return memory.state(page) == PageState.BALLOONED;
    }

    @Override
    public void readPage(long page, PageSink sink) {
        if (memory.mayHoldData(page)) {
            sink.dataPage(page, memory.ram().page(page));
        } else {
            sink.zeroPage(page); // never touched: zero without reading (and without faulting host memory in)
        }
    }

    @Override
    public synchronized void installPage(long page, PageWriter contents) {
        requireNotStarted("install a page");
        requireDataPage(page);
        contents.writeInto(pageSegment(page));
        written.add(page);
        memory.map(page);
        installed = true;
    }

    @Override
    public synchronized void installZeroPage(long page) {
        requireNotStarted("install a page");
        if (page == 0) {
            return; // the null guard: never mapped, always zero
        }
        if (written.contains(page)) {
            memory.ram().zeroPage(page);
        }
        memory.map(page);
        installed = true;
    }

    @Override
    public void fillPage(long page, PageWriter contents) {
        requireDataPage(page);
        requireAbsent(page);
        written.add(page); // first: a writer that fails half-way (a damaged copy) leaves bytes a zero fill must clear
        contents.writeInto(pageSegment(page));
        filled.add(page);
    }

    @Override
    public void fillZeroPage(long page) {
        if (page == 0) {
            return;
        }
        requireAbsent(page);
        if (written.contains(page)) {
            memory.ram().zeroPage(page);
        }
        filled.add(page);
    }

    private MemorySegment pageSegment(long page) {
        return memory.ram().segment().asSlice(page * GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
    }

    private void requireDataPage(long page) {
        if (page <= 0 || page >= memory.pageCount()) {
            throw new IllegalArgumentException(page == 0 ? "page 0 (the null guard) holds no data"
                    : "page " + page + " beyond the guest's " + memory.pageCount() + " pages");
        }
    }

    private void requireAbsent(long page) {
        if (memory.state(page) != PageState.ABSENT) {
            throw new IllegalStateException("page " + page + " is " + memory.state(page) + ", not absent");
        }
    }

    private void requireNotStarted(String what) {
        if (runner != null) {
            throw new IllegalStateException("cannot " + what + " once the guest runs");
        }
    }

    // ---- restore

    @Override
    public synchronized void restore(GuestState state, PageBitmap pending) {
        requireNotStarted("restore a guest state");
        long pageCount = memory.pageCount();
        if (state.pageCount() != pageCount || pending.pageCount() != pageCount) {
            throw refused(InvalidGuestStateException.Kind.MALFORMED, "page sets of " + state.pageCount() + " and "
                    + pending.pageCount() + " pages for a guest of " + pageCount);
        }
        // Registers and device states first: a state this machine cannot take is refused before anything
        // of the machine changes, and nothing of it reaches the emulator.
        Runnable load;
        try {
            load = machine.prepareRestore(state.cpu(), state.devices());
        } catch (InvalidCpuStateException e) {
            throw new InvalidGuestStateException(InvalidGuestStateException.Kind.REFUSED, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidGuestStateException(InvalidGuestStateException.Kind.REFUSED, "device state: "
                    + e.getMessage(), e);
        }
        PageBitmap ballooned = state.ballooned();
        if (ballooned.get(0)) {
            throw refused(InvalidGuestStateException.Kind.BAD_PAGE, "page 0 (the null guard) cannot be ballooned");
        }
        if (pending.intersects(ballooned)) {
            PageBitmap both = pending.copy();
            both.and(ballooned);
            throw refused(InvalidGuestStateException.Kind.REFUSED, "page " + both.nextSetBit(0)
                    + " is both ballooned and pending");
        }
        if (!installed) {
            // Nothing arrived before: every page is absent, so each must be pending or ballooned. Checked a word
            // at a time, and only the ballooned pages change state: this runs inside the guest's downtime.
            PageBitmap covered = pending.copy();
            covered.or(ballooned);
            covered.set(0);
            long missing = covered.nextClearBit(0);
            if (missing >= 0) {
                throw refused(InvalidGuestStateException.Kind.REFUSED, "page " + missing
                        + " never arrived and is not pending");
            }
            ballooned.forEach(memory::balloonZeroed); // never received: zero, unmapped
        } else {
            applyToInstalledPages(ballooned, pending);
        }
        load.run();
        long[] counters = machine.counters().values();
        for (int counter = 0; counter < counters.length; counter++) {
            progress.update(counter, counters[counter], machine.clock().nanos());
        }
        long inBalloon = balloon().map(BalloonControl::balloonPages).orElse(0L);
        if (inBalloon != ballooned.cardinality()) {
            throw refused(InvalidGuestStateException.Kind.REFUSED, "the balloon's state holds " + inBalloon
                    + " pages, the balloon map lists " + ballooned.cardinality());
        }
    }

    /**
     * Pre-copy and hybrid: every page that is neither pending nor ballooned must have been installed; a
     * pending page that was installed has been dirtied since and becomes absent again; a ballooned page's
     * copy, if one arrived before the guest gave the page up, is discarded.
     */
    private void applyToInstalledPages(PageBitmap ballooned, PageBitmap pending) {
        long pageCount = memory.pageCount();
        for (long page = 1; page < pageCount; page++) {
            if (!ballooned.get(page) && !pending.get(page) && memory.state(page) != PageState.PRESENT) {
                throw refused(InvalidGuestStateException.Kind.REFUSED, "page " + page
                        + " never arrived and is not pending");
            }
        }
        PageBitmap stale = new PageBitmap(pageCount);
        for (long page = 1; page < pageCount; page++) {
            PageState pageState = memory.state(page);
            if (ballooned.get(page)) {
                if (pageState == PageState.PRESENT || written.contains(page)) {
                    memory.balloon(page); // sent before the guest gave it up: discard it
                } else {
                    memory.balloonZeroed(page); // never received: zero already, never touched
                }
            } else if (pending.get(page) && pageState == PageState.PRESENT) {
                stale.set(page); // dirtied after it was copied
            }
        }
        if (!stale.isEmpty()) {
            memory.makeAbsent(stale); // flushes the TLB, for the ballooned pages too
        } else if (!ballooned.isEmpty()) {
            memory.flushTlb();
        }
    }

    private static InvalidGuestStateException refused(InvalidGuestStateException.Kind kind, String message) {
        return new InvalidGuestStateException(kind, message);
    }

    @Override
    public Optional<BalloonControl> balloon() {
        return machine.device(BalloonControl.class);
    }

    @Override
    public void close() {
        release();
        machine.close();
    }

    @Override
    public String toString() {
        return "MigratableMachine[" + machine.config().ramBytes() + " bytes, "
                + (runner == null ? "not started" : ended.isDone() ? "ended" : "running") + "]";
    }

    /** Counter values and the virtual clock as the vCPU last published them, for any thread. */
    private static final class LiveCounters implements GuestProgress {
        private final AtomicLongArray counters = new AtomicLongArray(CounterDevice.COUNTERS);
        private volatile long virtualNanos;

        void update(int counter, long value, long nanos) {
            counters.set(counter, value);
            virtualNanos = nanos;
        }

        @Override
        public long units() {
            return counters.get(CounterDevice.PROGRESS);
        }

        @Override
        public long[] counters() {
            long[] copy = new long[counters.length()];
            for (int i = 0; i < copy.length; i++) {
                copy[i] = counters.get(i);
            }
            return copy;
        }

        @Override
        public long virtualTimeNanos() {
            return virtualNanos;
        }
    }
}
