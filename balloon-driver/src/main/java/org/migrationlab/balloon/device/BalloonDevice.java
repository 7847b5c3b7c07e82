package org.migrationlab.balloon.device;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

import org.migrationlab.balloon.policy.BalloonConfig;
import org.migrationlab.balloon.policy.BalloonPolicies;
import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.emulator.devices.BadHypercallException;
import org.migrationlab.emulator.devices.DeferredWork;
import org.migrationlab.emulator.devices.Device;
import org.migrationlab.emulator.devices.DeviceFactory;
import org.migrationlab.emulator.devices.DeviceResources;
import org.migrationlab.emulator.devices.HypercallContext;
import org.migrationlab.emulator.devices.HypercallOutcome;
import org.migrationlab.emulator.devices.Ports;
import org.migrationlab.emulator.devices.VirtualClock;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.port.BalloonControl;
import org.migrationlab.emulator.port.DeviceState;

/**
 * The host side of the balloon, on port 0xE6 (guest_abi.h, {@code GUEST_PORT_BALLOON}).
 *
 * <ul>
 *   <li>query: builds a {@link BalloonPolicy.Observation} from the guest's report and answers the
 *       policy's target size (the current size while frozen);</li>
 *   <li>inflate: validates the listed pages inside the hook, answers that it took them all, and defers
 *       the rest to between slices ({@link DeferredWork}): each page is ballooned (unmapped, zeroed,
 *       {@link PageState#BALLOONED}) and forgotten by the dirty log, then the TLB is flushed once. The
 *       guest cannot touch them in between: the slice ends at the jump after its {@code out}. While
 *       {@linkplain #freeze() frozen} it takes none (answers 0);</li>
 *   <li>deflate: validates, then maps each page again as a page of zeros, inside the hook (widening
 *       access needs no flush), and logs it as written by the host so dirty logging sends the zeros.
 *       Served the same way when frozen.</li>
 * </ul>
 * Every page number is checked (inside RAM, not page 0, listed once, present for inflate and ballooned
 * for deflate) before anything changes; a bad call is a {@link BadHypercallException}, which the machine
 * reports as a guest crash.
 *
 * <p>Threading: hypercalls, deferred work, {@link #save}, {@link #restore} and {@link #ballooned()} run
 * on the vCPU thread (or while the machine is paused). {@link #freeze()}, {@link #unfreeze()} and
 * {@link #stats()} may be called from any thread; the statistics may then be one hypercall old.
 */
public final class BalloonDevice implements Device, BalloonControl {
    /** guest_abi.h: GUEST_OP_BALLOON_QUERY, _INFLATE, _DEFLATE. */
    public static final int OP_QUERY = 0;
    public static final int OP_INFLATE = 1;
    public static final int OP_DEFLATE = 2;
    /** guest_abi.h: GUEST_BALLOON_DEFLATE_TARGET and _PRESSURE. */
    public static final long DEFLATE_TARGET = 0;
    public static final long DEFLATE_PRESSURE = 1;
    /** guest_abi.h: GUEST_BALLOON_BATCH_MAX. */
    public static final int BATCH_MAX = 512;

    private final MemoryMap memory;
    private final VirtualClock clock;
    private final BalloonPolicy policy;
    private final PageBitmap pending;
    private long[] pendingPages = new long[BATCH_MAX];
    private int pendingCount;
    private volatile boolean frozen;

    private volatile long balloonPages;
    private long queriesSincePressure = Long.MAX_VALUE;
    private volatile long queries;
    private volatile long inflations;
    private volatile long deflations;
    private volatile long pressureDeflations;
    private volatile long refusedInflations;
    private volatile long pagesReturned;
    private volatile long pagesReclaimed;
    private volatile long driverHostNanos;
    private volatile long frozenQueries;

    public BalloonDevice(DeviceResources resources, BalloonPolicy policy) {
        this.memory = resources.memory();
        this.clock = resources.clock();
        this.policy = Objects.requireNonNull(policy, "policy");
        this.pending = new PageBitmap(memory.pageCount());
    }

    /** Attaches a balloon device with this policy: {@code Machine.boot(config, image, BalloonDevice.factory(p))}. */
    public static DeviceFactory factory(BalloonPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return resources -> new BalloonDevice(resources, policy);
    }

    /** Attaches a balloon device with the policy the config names. */
    public static DeviceFactory factory(BalloonConfig config) {
        return factory(BalloonPolicies.create(config));
    }

    @Override
    public int port() {
        return Ports.BALLOON;
    }

    @Override
    public String name() {
        return "balloon";
    }

    public BalloonPolicy policy() {
        return policy;
    }

    /**
     * Freezes the balloon (during post-copy, as QEMU does): inflations are refused, deflations are still
     * served, from local zero pages. Any thread.
     */
    @Override
    public void freeze() {
        frozen = true;
    }

    /** Lets the balloon inflate again. Any thread. */
    @Override
    public void unfreeze() {
        frozen = false;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Pages the balloon holds now. */
    @Override
    public long balloonPages() {
        return balloonPages;
    }

    @Override
    public BalloonFigures figures() {
        return new BalloonFigures(balloonPages, inflations, deflations, pressureDeflations, pagesReturned,
                pagesReclaimed);
    }

    /** The ballooned pages, read from the memory map (vCPU thread, or while paused). */
    public PageBitmap ballooned() {
        return memory.pagesIn(PageState.BALLOONED);
    }

    public BalloonStats stats() {
        return new BalloonStats(balloonPages, queries, inflations, deflations, pressureDeflations, refusedInflations,
                pagesReturned, pagesReclaimed, driverHostNanos, frozenQueries);
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        long start = System.nanoTime();
        try {
            return switch (operation) {
                case OP_QUERY -> query(call);
                case OP_INFLATE -> inflate(call);
                case OP_DEFLATE -> deflate(call);
                default -> throw new BadHypercallException("balloon: unknown operation " + operation);
            };
        } finally {
            driverHostNanos += System.nanoTime() - start;
        }
    }

    private HypercallOutcome query(HypercallContext call) {
        long freePages = call.arg0();
        long totalPages = call.arg1();
        long reservePages = call.arg2();
        long ramPages = memory.pageCount();
        if (totalPages < 0 || totalPages > ramPages || freePages < 0 || reservePages < 0
                || freePages + balloonPages > totalPages) {
            throw new BadHypercallException("balloon: query reports " + freePages + " free of " + totalPages
                    + " pages (reserve " + reservePages + ", ballooned " + balloonPages + ", RAM " + ramPages + " pages)");
        }
        long target;
        if (frozen) {
            target = balloonPages;
            frozenQueries++;
        } else {
            target = policy.targetPages(new BalloonPolicy.Observation(clock.nanos(), freePages, totalPages,
                    Math.min(reservePages, totalPages), balloonPages, queriesSincePressure));
            if (target < 0 || target > totalPages) {
                throw new IllegalStateException("balloon policy " + policy.name() + " answered " + target
                        + " pages for a guest of " + totalPages);
            }
        }
        if (queriesSincePressure != Long.MAX_VALUE) {
            queriesSincePressure++;
        }
        queries++;
        call.result(target);
        return HypercallOutcome.CONTINUE;
    }

    private HypercallOutcome inflate(HypercallContext call) {
        int count = batchCount(call, "inflate");
        if (frozen) {
            refusedInflations++;
            call.result(0);
            return HypercallOutcome.CONTINUE;
        }
        long[] pages = readPages(call, count);
        for (long page : pages) {
            requirePage(page, "inflate");
            if (memory.state(page) != PageState.PRESENT || pending.get(page)) {
                throw new BadHypercallException("balloon: inflate of page " + page + ", which is "
                        + (pending.get(page) ? "being inflated" : memory.state(page).toString().toLowerCase()));
            }
        }
        requireDistinct(pages, "inflate");
        for (long page : pages) {
            pending.set(page);
        }
        if (pendingCount + count > pendingPages.length) {
            pendingPages = Arrays.copyOf(pendingPages, Math.max(pendingPages.length * 2, pendingCount + count));
        }
        System.arraycopy(pages, 0, pendingPages, pendingCount, count);
        pendingCount += count;
        call.result(count);
        return count == 0 ? HypercallOutcome.CONTINUE
                : new HypercallOutcome.ReturnToHost(Ports.BALLOON, OP_INFLATE, this::completeInflation);
    }

    /** The deferred half of inflation: between slices, so the TLB can be flushed. */
    private void completeInflation(MemoryMap map) {
        long start = System.nanoTime();
        int done = 0;
        for (int i = 0; i < pendingCount; i++) {
            long page = pendingPages[i];
            pending.clear(page);
            if (map.state(page) == PageState.PRESENT) {
                map.balloon(page);
                map.dirtyLog().forget(page);
                done++;
            }
        }
        pendingCount = 0;
        if (done > 0) {
            map.flushTlb();
            balloonPages += done;
            pagesReturned += done;
            inflations++;
        }
        driverHostNanos += System.nanoTime() - start;
    }

    private HypercallOutcome deflate(HypercallContext call) {
        int count = batchCount(call, "deflate");
        long reason = call.arg2();
        if (reason != DEFLATE_TARGET && reason != DEFLATE_PRESSURE) {
            throw new BadHypercallException("balloon: deflate reason " + reason + " is neither target (0) nor pressure (1)");
        }
        long[] pages = readPages(call, count);
        for (long page : pages) {
            requirePage(page, "deflate");
            if (memory.state(page) != PageState.BALLOONED) {
                throw new BadHypercallException("balloon: deflate of page " + page + ", which is "
                        + memory.state(page).toString().toLowerCase() + ", not ballooned");
            }
        }
        requireDistinct(pages, "deflate");
        for (long page : pages) {
            memory.deflate(page);
            memory.noteHostWrite(page << GuestMemory.PAGE_SHIFT, GuestMemory.PAGE_SIZE);
        }
        if (count > 0) {
            balloonPages -= count;
            pagesReclaimed += count;
            deflations++;
            if (reason == DEFLATE_PRESSURE) {
                pressureDeflations++;
                queriesSincePressure = 0;
            }
        }
        call.result(count);
        return HypercallOutcome.CONTINUE;
    }

    private static int batchCount(HypercallContext call, String what) {
        long count = call.arg1();
        if (count < 0 || count > BATCH_MAX) {
            throw new BadHypercallException("balloon: " + what + " of " + Long.toUnsignedString(count)
                    + " pages; at most " + BATCH_MAX + " per call");
        }
        return (int) count;
    }

    private static long[] readPages(HypercallContext call, int count) {
        long[] pages = new long[count];
        if (count == 0) {
            return pages;
        }
        byte[] bytes = call.readGuest(call.arg0(), count * 8);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            pages[i] = in.getLong();
        }
        return pages;
    }

    private void requirePage(long page, String what) {
        if (page <= 0 || page >= memory.pageCount()) {
            throw new BadHypercallException("balloon: " + what + " of page " + Long.toUnsignedString(page)
                    + (page == 0 ? " (the null guard)" : ", outside RAM of " + memory.pageCount() + " pages"));
        }
    }

    private static void requireDistinct(long[] pages, String what) {
        if (pages.length < 2) {
            return;
        }
        long[] sorted = pages.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new BadHypercallException("balloon: " + what + " lists page " + sorted[i] + " twice");
            }
        }
    }

    /** The migratable state (vCPU thread, or while paused). */
    public BalloonState balloonState() {
        return new BalloonState(balloonPages, queriesSincePressure, queries, inflations, deflations, pressureDeflations,
                refusedInflations, pagesReturned, pagesReclaimed);
    }

    /** Replaces the state with a saved one, after checking it fits this machine. */
    public void restoreBalloonState(BalloonState state) {
        checkFits(state);
        balloonPages = state.balloonPages();
        queriesSincePressure = state.queriesSincePressure();
        queries = state.queries();
        inflations = state.inflations();
        deflations = state.deflations();
        pressureDeflations = state.pressureDeflations();
        refusedInflations = state.refusedInflations();
        pagesReturned = state.pagesReturned();
        pagesReclaimed = state.pagesReclaimed();
    }

    private void checkFits(BalloonState state) {
        if (state.balloonPages() >= memory.pageCount()) {
            throw new IllegalArgumentException("balloon state holds " + state.balloonPages() + " pages, RAM has "
                    + memory.pageCount());
        }
    }

    @Override
    public DeviceState save() {
        return new DeviceState(port(), BalloonState.VERSION, balloonState().encode());
    }

    @Override
    public Runnable prepareRestore(DeviceState state) {
        BalloonState decoded = BalloonState.decode(state.version(), state.body());
        checkFits(decoded);
        return () -> restoreBalloonState(decoded);
    }
}
