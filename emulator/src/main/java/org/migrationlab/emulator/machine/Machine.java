package org.migrationlab.emulator.machine;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.migrationlab.emulator.cpu.Access;
import org.migrationlab.emulator.cpu.CpuState;
import org.migrationlab.emulator.cpu.Vcpu;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.devices.ClockDevice;
import org.migrationlab.emulator.devices.ConsoleDevice;
import org.migrationlab.emulator.devices.CounterDevice;
import org.migrationlab.emulator.devices.DeferredWork;
import org.migrationlab.emulator.devices.Device;
import org.migrationlab.emulator.devices.DeviceBus;
import org.migrationlab.emulator.devices.DeviceFactory;
import org.migrationlab.emulator.devices.DeviceResources;
import org.migrationlab.emulator.devices.ExitDevice;
import org.migrationlab.emulator.devices.RingDevice;
import org.migrationlab.emulator.devices.StreamDevice;
import org.migrationlab.emulator.devices.VirtualClock;
import org.migrationlab.emulator.image.BootInfo;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.InvalidImageException;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.memory.PageTable;
import org.migrationlab.emulator.port.DeviceState;
import org.migrationlab.emulator.unicorn.Unicorn;
import org.migrationlab.emulator.unicorn.UnicornUnavailableException;

/**
 * One guest machine: RAM and page tables owned by Java, one vCPU in a Unicorn engine, and its devices.
 * The front door of the emulator module.
 *
 * <p>Threading: one owner thread (the vCPU thread) calls everything, except {@link #pause} and
 * {@link #requestPause}, which other threads use to bring the vCPU to a clean point.
 */
public final class Machine implements AutoCloseable {
    private final MachineConfig config;
    private final MemoryMap memory;
    private final Unicorn engine;
    private final Vcpu vcpu;
    private final DeviceBus devices = new DeviceBus();
    private final VirtualClock clock = new VirtualClock();
    private final ConsoleDevice console = new ConsoleDevice();
    private final CounterDevice counters = new CounterDevice(clock);
    private final RingDevice ring;
    private final StreamDevice stream = new StreamDevice();
    private final ExitDevice exitDevice = new ExitDevice();
    private final ExitCounts exits = new ExitCounts(devices);
    private volatile boolean finished;
    private VcpuExit.Halt halt;
    private boolean hasRun;

    private Machine(MachineConfig config, PageState initialPages, DeviceFactory... extraDevices) {
        this(config, initialPages, null, extraDevices);
    }

    /** @param ramFile where guest RAM lives as a shared file mapping; null for anonymous memory */
    private Machine(MachineConfig config, PageState initialPages, java.nio.file.Path ramFile,
                    DeviceFactory... extraDevices) {
        this.config = config;
        this.ring = new RingDevice(config.bootArgs().seed(), config.kvConfig());
        MemoryMap map = new MemoryMap(ramFile == null ? new GuestMemory(config.ramBytes())
                : GuestMemory.createInFile(ramFile, config.ramBytes()), initialPages);
        Unicorn unicorn;
        try {
            unicorn = Unicorn.openX86_64();
        } catch (UnicornUnavailableException e) {
            map.close();
            throw new EmulatorUnavailableException(e.getMessage(), e);
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
        this.memory = map;
        this.engine = unicorn;
        try {
            engine.mapHostMemory(0, memory.ram().segment());
            // The guest may read its page tables and run the flush stub, never write them: a write, whatever page
            // tables the guest made itself, ends its run with a typed crash.
            engine.mapHostMemory(PageTable.BASE_GPA, memory.pageTable().segment(), Unicorn.PROT_READ | Unicorn.PROT_EXEC);
            devices.attach(exitDevice).attach(console).attach(new ClockDevice(clock)).attach(counters)
                    .attach(ring).attach(stream);
            DeviceResources resources = new DeviceResources(memory, clock);
            for (DeviceFactory factory : extraDevices) {
                devices.attach(java.util.Objects.requireNonNull(factory.create(resources), "device factory returned null"));
            }
            this.vcpu = new Vcpu(engine, memory, devices);
            if (config.countInstructions()) {
                engine.installInstructionCounter();
            }
            if (config.paging() == MachineConfig.Paging.HOST_PAGE_TABLES) {
                vcpu.enablePaging();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A machine that boots {@code image} with the configured boot arguments; every page present. */
    public static Machine boot(MachineConfig config, GuestImage image) {
        return boot(config, image, new DeviceFactory[0]);
    }

    /**
     * As {@link #boot(MachineConfig, GuestImage)}, with extra devices (e.g. the balloon) attached after
     * the built-in ones, in the order given.
     */
    public static Machine boot(MachineConfig config, GuestImage image, DeviceFactory... extraDevices) {
        return boot(config, image, null, extraDevices);
    }

    /**
     * As {@link #boot(MachineConfig, GuestImage, DeviceFactory...)}, with guest RAM in {@code ramFile} (created
     * or emptied; see {@link GuestMemory#createInFile}) when it is not null, so it outlives this process.
     */
    public static Machine boot(MachineConfig config, GuestImage image, java.nio.file.Path ramFile,
                               DeviceFactory... extraDevices) {
        if (image.end() > config.ramBytes()) {
            throw new InvalidImageException(image.name() + ": the image needs RAM up to 0x" + Long.toHexString(image.end())
                    + " but the machine has only " + config.ramBytes() + " bytes");
        }
        Machine machine = new Machine(config, PageState.PRESENT, ramFile, extraDevices);
        try {
            for (GuestImage.Segment segment : image.segments()) {
                machine.memory.ram().write(segment.gpa(), segment.data());
                machine.memory.noteHostWrite(segment.gpa(), segment.memoryBytes());
            }
            BootInfo info = BootInfo.forImage(config.ramBytes(), image, config.bootArgs());
            byte[] bootInfo = info.encode();
            machine.memory.ram().write(BootInfo.GPA, bootInfo);
            machine.memory.noteHostWrite(BootInfo.GPA, bootInfo.length);
            machine.vcpu.setEntry(image.entry(), info.stackTop(), BootInfo.GPA);
            return machine;
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    /**
     * A machine with every page absent and nothing loaded: a migration destination. Restore its CPU
     * and device state, then fill or fault in its pages.
     */
    public static Machine empty(MachineConfig config) {
        return empty(config, new DeviceFactory[0]);
    }

    /** As {@link #empty(MachineConfig)}, with the same extra devices as the source machine had. */
    public static Machine empty(MachineConfig config, DeviceFactory... extraDevices) {
        return new Machine(config, PageState.ABSENT, extraDevices);
    }

    public MachineConfig config() {
        return config;
    }

    public MemoryMap memory() {
        return memory;
    }

    public ConsoleDevice console() {
        return console;
    }

    public CounterDevice counters() {
        return counters;
    }

    public VirtualClock clock() {
        return clock;
    }

    public RingDevice ring() {
        return ring;
    }

    public StreamDevice stream() {
        return stream;
    }

    /** The attached device of this type or interface (built-in or extra), if there is one. */
    public <T> java.util.Optional<T> device(Class<T> type) {
        for (Device device : devices.devices()) {
            if (type.isInstance(device)) {
                return java.util.Optional.of(type.cast(device));
            }
        }
        return java.util.Optional.empty();
    }

    public ExitCounts exits() {
        return exits;
    }

    public long slices() {
        return vcpu.slices();
    }

    /** Instructions executed so far, when the config asked for counting; else empty. */
    public java.util.OptionalLong instructionsExecuted() {
        return config.countInstructions() ? java.util.OptionalLong.of(engine.instructionCount())
                : java.util.OptionalLong.empty();
    }

    /** The guest's exit, once it halted. */
    public java.util.Optional<VcpuExit.Halt> halt() {
        return java.util.Optional.ofNullable(halt);
    }

    public boolean isFinished() {
        return finished;
    }

    /**
     * Runs the guest until it halts, crashes, is paused, or a fault/hypercall that {@code faults} does
     * not resolve. Write faults of write-protect dirty logging are resolved here, and so is the work a
     * device deferred to between slices ({@link DeferredWork}): it runs as soon as the slice that made
     * the hypercall ends, then the guest goes on. A hypercall exit without work is returned.
     */
    public VcpuExit run(FaultHandler faults) {
        if (finished) {
            throw new IllegalStateException("the machine has finished (" + (halt != null ? "halted" : "crashed") + ")");
        }
        hasRun = true;
        while (true) {
            VcpuExit exit = vcpu.runSlice();
            exits.count(exit);
            switch (exit) {
                case VcpuExit.PageFault fault -> {
                    if (fault.access() == Access.WRITE && memory.dirtyLog().onWriteFault(fault.pageNumber())) {
                        exits.countDirtyLogFault();
                        continue;
                    }
                    if (faults.onPageFault(fault, this) == FaultHandler.Resolution.RESUME) {
                        continue;
                    }
                    return exit;
                }
                case VcpuExit.Paused paused -> {
                    return paused;
                }
                case VcpuExit.Hypercall hypercall -> {
                    if (hypercall.work() == DeferredWork.NONE) {
                        return hypercall;
                    }
                    try {
                        hypercall.work().run(memory);
                    } catch (RuntimeException e) {
                        finish();
                        return new VcpuExit.Error(new IllegalStateException("deferred work of the device on port 0x"
                                + Integer.toHexString(hypercall.port()) + " failed", e));
                    }
                }
                case VcpuExit.Halt h -> {
                    halt = h;
                    finish();
                    return h;
                }
                case VcpuExit.GuestCrash crash -> {
                    finish();
                    return crash;
                }
                case VcpuExit.Error error -> {
                    finish();
                    return error;
                }
            }
        }
    }

    /** Runs with no fault handler. */
    public VcpuExit run() {
        return run(FaultHandler.NONE);
    }

    private void finish() {
        finished = true;
        vcpu.retire();
    }

    /** Asks the vCPU to pause at its next clean point. Any thread; returns a ticket for {@link #awaitPause}. */
    public long requestPause() {
        return vcpu.requestPause();
    }

    /** Waits for a requested pause (or for the machine to finish). Any thread. */
    public boolean awaitPause(long ticket, long timeout, TimeUnit unit) throws InterruptedException {
        return vcpu.awaitPause(ticket, timeout, unit);
    }

    /** Requests a pause and waits for it: true once the vCPU stopped at a clean point or finished. */
    public boolean pause(long timeout, TimeUnit unit) throws InterruptedException {
        return vcpu.awaitPause(vcpu.requestPause(), timeout, unit);
    }

    /**
     * Stops a guest that does not respond to pauses (no hypercalls, no faults) so that it can be thrown
     * away; its state is not trustworthy afterwards (see {@link org.migrationlab.emulator.cpu.Vcpu}).
     */
    public void abandon() {
        finished = true;
        vcpu.abandon();
    }

    public CpuState saveCpu() {
        return vcpu.captureState();
    }

    /** Loads a CPU state after checking it ({@link #prepareRestore}); a refused one changes nothing. */
    public void restoreCpu(CpuState state) {
        vcpu.restoreState(state);
    }

    /** Every device's state, one per device in attach order. */
    public java.util.List<DeviceState> saveDevices() {
        return devices.saveAll();
    }

    /** Restores every device, all checked first; a guest that had already exited is finished here too. */
    public void restoreDevices(java.util.List<DeviceState> states) {
        devices.prepareRestore(states).run();
        noteRestoredExit();
    }

    /**
     * Checks a CPU state and every device's state from elsewhere against this machine, changing nothing,
     * and returns the step that loads them. The CPU state must be one this machine's guests can be in
     * ({@link org.migrationlab.emulator.cpu.CpuStateRules}); a refused one is an
     * {@link org.migrationlab.emulator.cpu.InvalidCpuStateException}, a refused device state an
     * {@link IllegalArgumentException}.
     */
    public Runnable prepareRestore(CpuState cpu, java.util.List<DeviceState> states) {
        vcpu.checkRestorable(cpu);
        Runnable loadDevices = devices.prepareRestore(states);
        return () -> {
            vcpu.restoreState(cpu);
            loadDevices.run();
            noteRestoredExit();
        };
    }

    private void noteRestoredExit() {
        exitDevice.exit().ifPresent(exit -> {
            halt = new VcpuExit.Halt(exit.result(), exit.status());
            finish();
        });
    }

    /**
     * Installs a page's contents (4 KiB of {@code source} from {@code offset}) and makes it present.
     * When the page was already present in a machine that has run, its translated code is dropped,
     * since the engine does not see host writes to code.
     */
    public void installPage(long page, MemorySegment source, long offset) {
        boolean wasPresent = memory.state(page) == PageState.PRESENT;
        memory.install(page, source, offset);
        if (wasPresent && hasRun) {
            vcpu.forgetTranslations(page);
        }
    }

    /** RIP now (valid between slices). */
    public long rip() {
        return vcpu.rip();
    }

    @Override
    public void close() {
        finished = true;
        if (vcpu != null) {
            vcpu.retire();
        }
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            memory.close();
        }
    }
}
