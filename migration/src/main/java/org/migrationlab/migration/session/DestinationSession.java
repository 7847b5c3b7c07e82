package org.migrationlab.migration.session;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.migrationlab.balloon.device.BalloonDevice;
import org.migrationlab.emulator.cpu.CpuState;
import org.migrationlab.emulator.cpu.CpuStateCodec;
import org.migrationlab.emulator.cpu.InvalidCpuStateException;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.VcpuRunner;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.PageBitmap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.PageEncoding;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.PeerChannel;
import org.migrationlab.migration.transport.RecordSink;

/**
 * Receives one guest (PROTOCOL §6, destination): builds an empty machine from GUEST_CONFIG, installs
 * pre-copy pages, restores CPU and device state at SWITCH_OVER, starts the vCPU and, in post-copy,
 * lets pages arrive until every one did; then says COMPLETE and hands the running guest to its owner.
 *
 * <p>Threading: records arrive on the channels' event loops and are handled inline — each step is short
 * (a page copy and CRC, a state restore), and handling them in arrival order on the bulk loop keeps
 * pages before the switch-over that depends on them. State changes are synchronized; post-copy page
 * arrivals only touch absent pages and the thread-safe {@link IncomingPages}. Every byte is hostile.
 */
public final class DestinationSession {
    /** What the owner gets once every page is in: the running guest and what post-copy cost. */
    public record Arrival(Machine machine, VcpuRunner runner, FaultStats faults, double progressRateDuring) {
    }

    private enum State { AWAITING_CONFIG, RECEIVING, RUNNING, COMPLETING, DONE, FAILED }

    private final UUID id;
    private final long maxRamBytes;
    private final long replyTimeoutMillis;
    private final CompletableFuture<Arrival> arrival = new CompletableFuture<>();
    private final ReentrantReadWriteLock ramInUse = new ReentrantReadWriteLock();
    private State state = State.AWAITING_CONFIG;
    private Machine machine;
    private MigrationRecord.GuestConfig guest;
    private CpuState cpu;
    private byte[] devices;
    private PageBitmap ballooned;
    private IncomingPages incoming;
    private PostcopyFaults faults;
    private VcpuRunner runner;
    private PeerChannel bulk;
    private PeerChannel urgent;
    private boolean pagesDone;
    private long pagesReceived;
    private java.util.concurrent.atomic.AtomicLongArray dataPages; // pages whose RAM holds data we wrote
    private long resumeNanos;
    private long progressAtResume;

    public DestinationSession(UUID id, long maxRamBytes, long replyTimeoutMillis) {
        this.id = id;
        this.maxRamBytes = maxRamBytes;
        this.replyTimeoutMillis = replyTimeoutMillis;
    }

    public UUID id() {
        return id;
    }

    /** Completes once the guest runs here with every page present; fails if the migration fails. */
    public CompletableFuture<Arrival> arrival() {
        return arrival;
    }

    /** The sink for this migration's bulk or urgent connection. */
    public RecordSink sink(MigrationRecord.Channel kind) {
        return new RecordSink() {
            @Override
            public void authenticated(Handshake handshake, PeerChannel channel) {
                synchronized (DestinationSession.this) {
                    if (kind == MigrationRecord.Channel.BULK) {
                        bulk = channel;
                    } else {
                        urgent = channel;
                    }
                }
            }

            @Override
            public void received(MigrationRecord record, PeerChannel channel) {
                synchronized (DestinationSession.this) {
                    if (state == State.FAILED) {
                        // Over, and the ABORT that says why is already sent: what was in flight changes nothing.
                        if (record instanceof PageBatch batch) {
                            batch.release();
                        }
                        return;
                    }
                }
                try {
                    handle(record, kind);
                } catch (ProtocolException e) {
                    fail(e);
                    throw e;
                } catch (RuntimeException e) {
                    ProtocolException wrapped = new ProtocolException(AbortReason.BAD_STATE, String.valueOf(e.getMessage()));
                    fail(wrapped);
                    throw wrapped;
                }
            }

            @Override
            public void failed(PeerChannel channel, Throwable cause) {
                fail(cause);
            }

            @Override
            public void closed(PeerChannel channel) {
                synchronized (DestinationSession.this) {
                    if (state != State.DONE && state != State.FAILED) {
                        fail(new ProtocolException(AbortReason.CONNECTION_LOST,
                                "the source closed the " + kind + " connection in state " + state));
                    }
                }
            }
        };
    }

    private void handle(MigrationRecord record, MigrationRecord.Channel kind) {
        switch (record) {
            case PageBatch batch -> {
                try {
                    onPages(batch);
                } finally {
                    batch.release();
                }
            }
            case MigrationRecord.GuestConfig config -> onConfig(config);
            case MigrationRecord.RoundEnd roundEnd -> requireState(State.RECEIVING, roundEnd);
            case MigrationRecord.CpuStateRecord state -> onCpuState(state);
            case MigrationRecord.DeviceStateRecord state -> onDeviceState(state);
            case MigrationRecord.BalloonMap map -> onBalloonMap(map);
            case MigrationRecord.SwitchOver switchOver -> onSwitchOver(switchOver);
            case MigrationRecord.PagesDone done -> onPagesDone(done);
            case MigrationRecord.ProgressHint hint -> {
                // for humans; nothing to do
            }
            case MigrationRecord.Hello h -> throw unexpected(h);
            case MigrationRecord.Auth a -> throw unexpected(a);
            case MigrationRecord.Resumed r -> throw unexpected(r);
            case MigrationRecord.PageRequest p -> throw unexpected(p);
            case MigrationRecord.Complete c -> throw unexpected(c);
            case MigrationRecord.DestinationStats s -> throw unexpected(s);
            case MigrationRecord.Abort a -> fail(new ProtocolException(a.reason(), "the source aborted: " + a.message()));
        }
    }

    private ProtocolException unexpected(MigrationRecord record) {
        return new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type() + " from the source in state " + state);
    }

    private synchronized void requireState(State expected, MigrationRecord record) {
        if (state != expected) {
            throw unexpected(record);
        }
    }

    // ---- before the switch-over

    private synchronized void onConfig(MigrationRecord.GuestConfig config) {
        requireState(State.AWAITING_CONFIG, config);
        if (config.ramBytes() > maxRamBytes) {
            throw new ProtocolException(AbortReason.BAD_STATE, "a guest of " + config.ramBytes()
                    + " bytes exceeds this destination's limit of " + maxRamBytes);
        }
        MachineConfig machineConfig;
        try {
            machineConfig = MachineConfig.of(config.ramBytes(), new BootArgs(config.workload(), config.args(), config.seed()));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(AbortReason.MALFORMED, "guest config: " + e.getMessage());
        }
        guest = config;
        machine = GuestMachines.empty(machineConfig);
        dataPages = new java.util.concurrent.atomic.AtomicLongArray((int) ((machine.memory().pageCount() + 63) >>> 6));
        state = State.RECEIVING;
    }

    private void onPages(PageBatch batch) {
        // Post-copy pages are copied outside the session lock; the read lock keeps a failing session's
        // teardown from unmapping guest RAM under the copy.
        ramInUse.readLock().lock();
        try {
            Machine target;
            synchronized (this) {
                if (state == State.FAILED) {
                    return; // the session is over and its ABORT sent: a page still in flight is dropped
                }
                if (state == State.RECEIVING) {
                    for (int i = 0; i < batch.count(); i++) {
                        long page = checkedPage(machine, batch, i);
                        if (page == 0) {
                            continue; // the null guard: never mapped, always zero
                        }
                        decode(machine, batch, i, page);
                        machine.memory().map(page);
                        pagesReceived++;
                    }
                    return;
                }
                if (state != State.RUNNING && state != State.COMPLETING) {
                    throw unexpected(batch);
                }
                target = machine;
            }
            for (int i = 0; i < batch.count(); i++) {
                long page = checkedPage(target, batch, i);
                if (!incoming.isPending(page) || incoming.hasArrived(page)) {
                    throw new ProtocolException(AbortReason.BAD_PAGE, "page " + page
                            + (incoming.isPending(page) ? " arrived twice" : " was not expected after the switch-over"));
                }
                if (page != 0) {
                    decode(target, batch, i, page); // the page is absent: the guest cannot see it until it is mapped
                }
                incoming.arrive(page);
                synchronized (this) {
                    pagesReceived++;
                }
            }
        } finally {
            ramInUse.readLock().unlock();
        }
        maybeComplete();
    }

    /**
     * Installs page {@code index} of the batch into RAM. A zero page over RAM that never held data is
     * skipped: fresh RAM is zero, and not touching it spares the host from allocating the page at all.
     */
    private void decode(Machine target, PageBatch batch, int index, long page) {
        boolean zero = batch.encodings()[index] == PageEncoding.ZERO;
        if (zero && !holdsData(page)) {
            return;
        }
        PageCodec.decodePageInto(batch, index, pageSegment(target, page));
        if (!zero) {
            markData(page);
        }
    }

    private boolean holdsData(long page) {
        return (dataPages.get((int) (page >>> 6)) & (1L << page)) != 0;
    }

    private void markData(long page) {
        dataPages.getAndAccumulate((int) (page >>> 6), 1L << page, (word, bit) -> word | bit);
    }

    private static long checkedPage(Machine target, PageBatch batch, int index) {
        long page = batch.pageNumbers()[index];
        if (page < 0 || page >= target.memory().pageCount()) {
            throw new ProtocolException(AbortReason.BAD_PAGE, "page " + page + " beyond the guest's "
                    + target.memory().pageCount() + " pages");
        }
        if (page == 0 && batch.encodings()[index] != PageEncoding.ZERO) {
            throw new ProtocolException(AbortReason.BAD_PAGE, "page 0 (the null guard) must be a zero page");
        }
        return page;
    }

    private static MemorySegment pageSegment(Machine target, long page) {
        return target.memory().ram().segment().asSlice(page * GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
    }

    private synchronized void onCpuState(MigrationRecord.CpuStateRecord record) {
        requireState(State.RECEIVING, record);
        try {
            cpu = CpuStateCodec.decode(record.encoded());
        } catch (InvalidCpuStateException e) {
            throw new ProtocolException(AbortReason.BAD_STATE, e.getMessage());
        }
    }

    private synchronized void onDeviceState(MigrationRecord.DeviceStateRecord record) {
        requireState(State.RECEIVING, record);
        devices = record.blob();
    }

    private synchronized void onBalloonMap(MigrationRecord.BalloonMap map) {
        requireState(State.RECEIVING, map);
        if (ballooned != null) {
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, "a second BALLOON_MAP");
        }
        PageBitmap pages;
        try {
            pages = PageBitmap.fromByteArray(map.bitmap(), machine.memory().pageCount());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(AbortReason.MALFORMED, "BALLOON_MAP: " + e.getMessage());
        }
        if (pages.get(0)) {
            throw new ProtocolException(AbortReason.BAD_PAGE, "page 0 (the null guard) cannot be ballooned");
        }
        ballooned = pages;
    }

    private synchronized void onSwitchOver(MigrationRecord.SwitchOver switchOver) {
        requireState(State.RECEIVING, switchOver);
        if (cpu == null || devices == null || ballooned == null) {
            throw new ProtocolException(AbortReason.BAD_STATE, "SWITCH_OVER before CPU state, device state and balloon map");
        }
        if (switchOver.mode() != guest.mode()) {
            throw new ProtocolException(AbortReason.BAD_STATE, "SWITCH_OVER for " + switchOver.mode()
                    + " in a " + guest.mode() + " migration");
        }
        long pageCount = machine.memory().pageCount();
        if (switchOver.pendingBitmap().length != (pageCount + 7) / 8) {
            throw new ProtocolException(AbortReason.MALFORMED, "pending bitmap of " + switchOver.pendingBitmap().length
                    + " bytes for " + pageCount + " pages");
        }
        incoming = new IncomingPages(pageCount, switchOver.pendingBitmap());
        PageBitmap pending;
        try {
            pending = PageBitmap.fromByteArray(switchOver.pendingBitmap(), pageCount);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(AbortReason.MALFORMED, "SWITCH_OVER: " + e.getMessage());
        }
        if (pending.intersects(ballooned)) {
            long both = ballooned.nextSetBit(0);
            while (!pending.get(both)) {
                both = ballooned.nextSetBit(both + 1);
            }
            throw new ProtocolException(AbortReason.BAD_STATE, "page " + both + " is both ballooned and pending");
        }
        if (pagesReceived == 0) {
            // Pure post-copy: every page is absent, so each must be pending or ballooned. Checked a word at a
            // time, and the ballooned pages only change state: this is the guest's downtime.
            PageBitmap covered = pending.copy();
            covered.or(ballooned);
            covered.set(0);
            long missing = covered.nextClearBit(0);
            if (missing >= 0) {
                throw new ProtocolException(AbortReason.BAD_STATE, "page " + missing + " never arrived and is not pending");
            }
            ballooned.forEach(page -> machine.memory().balloonZeroed(page)); // never received: zero, unmapped
        } else {
            installedBefore(pending);
        }
        if (switchOver.mode() == MigrationMode.PRECOPY && incoming.pendingCount() != 0) {
            throw new ProtocolException(AbortReason.BAD_STATE, "pre-copy switch-over with pages still pending");
        }
        try {
            machine.restoreCpu(cpu);
            machine.restoreDevices(devices);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(AbortReason.BAD_STATE, "device state: " + e.getMessage());
        }
        BalloonDevice balloon = GuestMachines.balloon(machine).orElseThrow();
        if (balloon.balloonPages() != ballooned.cardinality()) {
            throw new ProtocolException(AbortReason.BAD_STATE, "the balloon's state holds " + balloon.balloonPages()
                    + " pages, BALLOON_MAP lists " + ballooned.cardinality());
        }
        if (incoming.pendingCount() > 0) {
            balloon.freeze(); // post-copy: no inflation until every page is here; deflations are served locally
        }
        PeerChannel requests = urgent != null ? urgent : bulk;
        faults = new PostcopyFaults(incoming, requests, replyTimeoutMillis);
        progressAtResume = machine.counters().value(0);
        resumeNanos = System.nanoTime();
        runner = VcpuRunner.start(machine, faults, "vcpu-0");
        runner.finished().whenComplete((exit, error) -> {
            // A guest that stops for good before every page arrived (a page that never came, a crash)
            // ends the migration: the source must hear it rather than wait.
            synchronized (this) {
                if (state != State.RUNNING && state != State.COMPLETING) {
                    return;
                }
            }
            if (exit instanceof org.migrationlab.emulator.cpu.VcpuExit.Halt) {
                return; // the guest finished its work; its remaining pages still arrive
            }
            String why = faults.failure() != null ? faults.failure() : "the guest stopped: " + (exit != null ? exit : error);
            fail(new ProtocolException(AbortReason.GUEST_FAILED, why));
        });
        state = State.RUNNING;
        bulk.sendNow(new MigrationRecord.Resumed());
        maybeComplete();
    }

    /**
     * Pre-copy and hybrid: every page that is neither pending nor ballooned must have arrived; a pending
     * page that did arrive was dirtied since and is made absent again; a ballooned page's copy, if one
     * arrived before the guest gave the page up, is discarded.
     */
    private void installedBefore(PageBitmap pending) {
        long pageCount = machine.memory().pageCount();
        PageBitmap stale = new PageBitmap(pageCount);
        for (long page = 1; page < pageCount; page++) {
            PageState pageState = machine.memory().state(page);
            if (ballooned.get(page)) {
                if (pageState == PageState.PRESENT || holdsData(page)) {
                    machine.memory().balloon(page); // sent before the guest gave it up: discard it
                } else {
                    machine.memory().balloonZeroed(page); // never received: zero already, never touched
                }
            } else if (!pending.get(page) && pageState != PageState.PRESENT) {
                throw new ProtocolException(AbortReason.BAD_STATE, "page " + page + " never arrived and is not pending");
            } else if (pending.get(page) && pageState == PageState.PRESENT) {
                stale.set(page); // hybrid: dirtied after it was copied
            }
        }
        if (!stale.isEmpty()) {
            machine.memory().makeAbsent(stale); // flushes the TLB, for the ballooned pages too
        } else if (!ballooned.isEmpty()) {
            machine.memory().flushTlb();
        }
    }

    private synchronized void onPagesDone(MigrationRecord.PagesDone done) {
        if (state != State.RUNNING) {
            throw unexpected(done);
        }
        pagesDone = true;
        maybeComplete();
    }

    // ---- completion

    private synchronized void maybeComplete() {
        if (state != State.RUNNING || !incoming.allArrived()) {
            return;
        }
        if (incoming.pendingCount() != 0 && !pagesDone) {
            return;
        }
        state = State.COMPLETING;
        runner.atPause(m -> {
            GuestMachines.balloon(m).ifPresent(BalloonDevice::unfreeze);
            long pageCount = m.memory().pageCount();
            for (long page = 1; page < pageCount; page++) {
                if (incoming.isPending(page) && m.memory().state(page) == PageState.ABSENT) {
                    m.memory().map(page); // arrived but never touched: every page present now
                }
            }
            long units = m.counters().value(0) - progressAtResume;
            double seconds = (System.nanoTime() - resumeNanos) / 1e9;
            return new Arrival(m, runner, faults.stats(), seconds <= 0 ? Double.NaN : units / seconds);
        }, VcpuRunner.Then.RESUME).whenComplete((done, error) -> {
            if (error != null) {
                fail(error);
                return;
            }
            FaultStats stats = done.faults();
            long received;
            synchronized (this) {
                received = pagesReceived;
                state = State.DONE;
            }
            bulk.sendNow(new MigrationRecord.DestinationStats(stats.networkFaults(), stats.minorFaults(),
                    stats.requests(), faults.latencyNanos(50), faults.latencyNanos(90), faults.latencyNanos(99),
                    faults.latencyNanos(100)));
            bulk.sendNow(new MigrationRecord.Complete(received));
            arrival.complete(done);
        });
    }

    private void fail(Throwable cause) {
        PeerChannel[] channels;
        synchronized (this) {
            if (state == State.DONE || state == State.FAILED) {
                return;
            }
            state = State.FAILED;
            channels = new PeerChannel[] {bulk, urgent};
            Machine doomed = machine;
            VcpuRunner doomedRunner = runner;
            machine = null;
            if (doomed != null) {
                // Before the switch-over nothing of the guest is lost (the source still owns it). After it,
                // the guest here cannot get its missing pages. Tear down off the event loop.
                Thread.ofVirtual().name("destination-teardown").start(() -> {
                    if (doomedRunner != null) {
                        doomedRunner.close();
                    }
                    ramInUse.writeLock().lock(); // no page copy into RAM still under way
                    try {
                        doomed.close();
                    } finally {
                        ramInUse.writeLock().unlock();
                    }
                });
            }
        }
        AbortReason reason = cause instanceof ProtocolException p ? p.reason() : AbortReason.CANCELLED;
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        for (PeerChannel channel : channels) {
            if (channel != null) {
                channel.abort(new MigrationRecord.Abort(reason, message)); // best effort; no-op when closed
            }
        }
        arrival.completeExceptionally(cause);
    }

    /** The guest's boot arguments as the source described them (for reports). */
    public synchronized Map<String, String> guestArgs() {
        return guest == null ? Map.of() : guest.args();
    }
}
