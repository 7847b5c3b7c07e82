package org.migrationlab.migration.session;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

import io.netty.util.ReferenceCountUtil;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.BalloonControl;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.GuestProgress;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.GuestStateCodec;
import org.migrationlab.emulator.port.InvalidGuestStateException;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.postcopy.IncomingPages;
import org.migrationlab.migration.postcopy.PostcopyFaults;
import org.migrationlab.migration.progress.ArrivalObserver;
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
import org.migrationlab.migration.transport.TransportClosedException;

/**
 * Receives one guest (PROTOCOL §6, destination): builds an empty machine from GUEST_CONFIG, installs
 * pre-copy pages, restores the GUEST_STATE at SWITCH_OVER, starts the vCPU and, in post-copy, lets pages
 * arrive until every one did; then says COMPLETE and hands the running guest to its owner. Reaches the
 * machine only through its {@link Migratable} port.
 *
 * <p>Threading: records arrive on the channels' event loops and are handled inline — each step is short
 * (a page copy and CRC, a state restore), and handling them in arrival order on the bulk loop keeps
 * pages before the switch-over that depends on them. State changes are synchronized; post-copy page
 * arrivals only touch absent pages and the thread-safe {@link IncomingPages}. Every byte is hostile.
 */
public final class DestinationSession {
    private final ArrivalObserver arrivals;
    /** What the owner gets once every page is in: the running guest and what post-copy cost. */
    public record Arrival(Migratable guest, FaultStats faults, double progressRateDuring) {
    }

    /** PAUSED is QEMU's postcopy-paused: the link broke after the switch-over, the guest runs on. */
    private enum State { AWAITING_CONFIG, RECEIVING, RUNNING, PAUSED, COMPLETING, DONE, FAILED }

    private final UUID id;
    private final GuestFactory machines;
    private final long maxRamBytes;
    private final long replyTimeoutMillis;
    private final long recoverTimeoutMillis;
    private final CompletableFuture<Arrival> arrival = new CompletableFuture<>();
    private final ReentrantReadWriteLock ramInUse = new ReentrantReadWriteLock();
    private State state = State.AWAITING_CONFIG;
    private Migratable machine;
    private MigrationRecord.GuestConfig guest;
    private GuestState guestState;
    private IncomingPages incoming;
    private PostcopyFaults faults;
    private PeerChannel bulk;
    private PeerChannel urgent;
    private boolean pagesDone;
    private boolean urgentAttached;
    private long pagesReceived;
    private long resumeNanos;
    /** How long decoding GUEST_STATE took: part of the downtime RESUMED reports. */
    private long guestStateDecodeNanos;
    private long progressAtResume;
    private volatile OwnershipJournal journal = OwnershipJournal.NONE;
    /** Between the journal's switch-over hold and its end (guarded by this). */
    private boolean switchOverHeld;
    /** Told of each pause and recovery as it happens, so an operator sees a partition when it is detected. */
    private volatile Consumer<String> linkEvents = line -> { };
    /** The connections' generation: 0 first, then one more per post-copy recovery (PROTOCOL §5.6). */
    private int epoch;
    /** Whether the migration's first connections included an urgent one (a recovery reopens it). */
    private boolean usesUrgent;
    /** Counts pauses, so a recover timeout armed for an earlier pause does nothing. */
    private int pauses;
    /** Pages that failed their checksum after the switch-over (each one pauses the migration). */
    private int damagedPages;
    /** Why the session failed; null while it has not. */
    private Throwable failure;
    /** A RECOVER found this session before the switch-over and was refused: its source has heard. */
    private boolean recoverRefused;

    /** @param machines builds the empty machine the guest arrives in (the same devices as the source's) */
    public DestinationSession(UUID id, GuestFactory machines, long maxRamBytes, long replyTimeoutMillis) {
        this(id, machines, maxRamBytes, replyTimeoutMillis, MigrationConfig.DEFAULT_RECOVER_TIMEOUT_MILLIS);
    }

    /**
     * @param recoverTimeoutMillis how long a post-copy migration whose link broke waits for its source to
     *                             reconnect before it fails (and the guest with it)
     */
    public DestinationSession(UUID id, GuestFactory machines, long maxRamBytes, long replyTimeoutMillis,
                              long recoverTimeoutMillis) {
        this(id, machines, maxRamBytes, replyTimeoutMillis, recoverTimeoutMillis, ArrivalObserver.NONE);
    }

    /** @param arrivals told of each post-copy page's arrival and fault, for a live view of this side's memory */
    public DestinationSession(UUID id, GuestFactory machines, long maxRamBytes, long replyTimeoutMillis,
                              long recoverTimeoutMillis, ArrivalObserver arrivals) {
        this.arrivals = java.util.Objects.requireNonNull(arrivals, "arrivals");
        this.recoverTimeoutMillis = recoverTimeoutMillis;
        this.id = id;
        this.machines = machines;
        this.maxRamBytes = maxRamBytes;
        this.replyTimeoutMillis = replyTimeoutMillis;
    }

    public UUID id() {
        return id;
    }

    /** Where ownership transitions are journaled (none by default); set before the first record arrives. */
    public void journal(OwnershipJournal ownershipJournal) {
        this.journal = ownershipJournal;
    }

    /** Where a line goes when post-copy pauses on a lost link and when it recovers (nowhere by default). */
    public void linkEvents(Consumer<String> events) {
        this.linkEvents = java.util.Objects.requireNonNull(events, "events");
    }

    /**
     * The progress counters of the guest being built here, once GUEST_CONFIG has come (zero until the
     * switch-over restores them); they stay readable after the guest is released. For watchers.
     */
    public synchronized Optional<GuestProgress> guestProgress() {
        return Optional.ofNullable(machine).map(Migratable::progress);
    }

    /** Completes once the guest runs here with every page present; fails if the migration fails. */
    public CompletableFuture<Arrival> arrival() {
        return arrival;
    }

    /**
     * The sink for this migration's bulk or urgent connection. A migration has one urgent connection: a
     * second is refused (and, never attached, cannot disturb the first or the migration when it closes).
     */
    public RecordSink sink(MigrationRecord.Channel kind) {
        if (kind == MigrationRecord.Channel.URGENT) {
            synchronized (this) {
                if (urgentAttached) {
                    throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, "migration " + id
                            + " has its urgent connection already");
                }
                urgentAttached = true;
            }
        }
        return new ConnectionSink(kind, 0);
    }

    /**
     * The sink for a connection that reconnects to this migration after the switch-over: its first record
     * must be RECOVER with a newer epoch than any before (PROTOCOL §5.6); anything else refuses that
     * connection alone.
     */
    public RecordSink reconnectSink(MigrationRecord.Channel kind) {
        return new ConnectionSink(kind, -1);
    }

    /**
     * Whether every page of the guest is here (completing or done): a recovery only learns that it arrived.
     */
    public synchronized boolean everyPageHere() {
        return state == State.COMPLETING || state == State.DONE;
    }

    /** The guest's page count (0 before GUEST_CONFIG). */
    synchronized long guestPageCount() {
        return guest == null ? 0 : guest.pageCount();
    }

    /** Whether the guest was switched over here, so that a connection for this migration may be a recovery. */
    public synchronized boolean switchedOver() {
        return incoming != null;
    }

    /**
     * Whether this session received the migration from its start, then failed before the switch-over reached
     * it: the guest never ran here, and never will (a failed session takes nothing more). Its source, if it sent
     * SWITCH_OVER, may take the guest back on this proof (docs/FAULTS.md).
     */
    public synchronized boolean endedBeforeSwitchOver() {
        return state == State.FAILED && guest != null && incoming == null;
    }

    /**
     * Whether the session ended before the switch-over, because the link was lost, when its source may have
     * been switching over (the guest's state had arrived, or it is a post-copy migration, which goes straight to
     * it), and no recovery has been told since: the source, or a successor of a dead one, may still ask whether
     * the guest ran here.
     */
    public synchronized boolean awaitsSourceAtSwitchOver() {
        return endedBeforeSwitchOver() && (guestState != null || switchesOverAtReady(guest.mode()))
                && !recoverRefused && LinkLoss.is(failure);
    }

    /**
     * Whether the source of a {@code mode} migration may have saved its switch-over (checkpoint, journal) before
     * GUEST_STATE got here: post-copy pauses at READY and checkpoints at once. Stop-and-copy pauses at READY
     * too, but keeps no checkpoint (nothing is pending after its switch-over), and its GUEST_STATE follows every
     * page: as with pre-copy, only a GUEST_STATE received tells that its source may be switching over.
     */
    private static boolean switchesOverAtReady(MigrationMode mode) {
        return !mode.hasLiveRounds() && mode.hasPostcopyPhase();
    }

    /** One connection's sink, bound to the epoch it belongs to (-1 until its RECOVER names one). */
    private final class ConnectionSink implements RecordSink {
        private final MigrationRecord.Channel kind;
        private int epochOfThis; // guarded by the session

        ConnectionSink(MigrationRecord.Channel kind, int epoch) {
            this.kind = kind;
            this.epochOfThis = epoch;
        }

        @Override
        public void authenticated(Handshake handshake, PeerChannel channel) {
            synchronized (DestinationSession.this) {
                if (epochOfThis != 0) {
                    return; // a reconnection is attached by its RECOVER
                }
                if (kind == MigrationRecord.Channel.BULK) {
                    bulk = channel;
                } else {
                    urgent = channel;
                }
            }
        }

        /**
         * Whether this connection is one of the current epoch's and live: not paused, or the recovered bulk
         * connection while its urgent one is still on its way. The source pushes on the bulk connection as soon
         * as it has the bitmap, so those pages (and PAGES_DONE) may come before the urgent RECOVER does: they
         * are not in the bitmap the source took, and dropping them would leave the guest waiting for ever.
         */
        private boolean current() {
            return epochOfThis == epoch && (state != State.PAUSED || recoveredBulk(kind));
        }

        @Override
        public void received(MigrationRecord record, PeerChannel channel) {
            boolean awaitingRecover;
            synchronized (DestinationSession.this) {
                awaitingRecover = epochOfThis < 0;
                if (state == State.FAILED && awaitingRecover) {
                    ReferenceCountUtil.release(record);
                    throw new ProtocolException(AbortReason.BAD_STATE, "migration " + id + " has failed here already");
                }
                if (state == State.FAILED || !awaitingRecover && !current()) {
                    // Over, or a stale connection of an earlier epoch: what was in flight changes nothing.
                    if (record instanceof PageBatch batch) {
                        batch.release();
                    }
                    return;
                }
            }
            if (awaitingRecover) {
                if (!(record instanceof MigrationRecord.Recover recover)) {
                    ReferenceCountUtil.release(record);
                    throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type()
                            + " on a reconnection, which must open with RECOVER");
                }
                onRecover(recover, kind, channel, this); // a refusal ends this connection, not the migration
                return;
            }
            try {
                if (kind == MigrationRecord.Channel.URGENT) {
                    requireUrgent(record);
                }
                handle(record, kind, epochOfThis);
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
            synchronized (DestinationSession.this) {
                if (!current()) {
                    return; // a stale or refused connection: the migration goes on without it
                }
                if (state == State.RUNNING && LinkLoss.is(cause)) {
                    pause(channel.kind() + " connection: " + cause.getMessage());
                    return;
                }
                if (state == State.PAUSED && LinkLoss.is(cause)) {
                    bulk = null; // the recovered bulk connection broke too: the next RECOVER may attach
                    return;
                }
                if (state == State.COMPLETING && LinkLoss.is(cause)) {
                    return; // every page is here: the guest goes on; a recovery learns it (ArrivedMigrationSink)
                }
            }
            fail(cause);
        }

        @Override
        public void closed(PeerChannel channel) {
            synchronized (DestinationSession.this) {
                if (!current()) {
                    return;
                }
                if (state == State.RUNNING) {
                    pause("the source closed the " + kind + " connection");
                    return;
                }
                if (state == State.PAUSED) {
                    bulk = null; // the recovered bulk connection closed too: the next RECOVER may attach
                    return;
                }
                if (state == State.COMPLETING) {
                    return;
                }
                if (state != State.DONE && state != State.FAILED) {
                    fail(new ProtocolException(AbortReason.CONNECTION_LOST,
                            "the source closed the " + kind + " connection in state " + state));
                }
            }
        }
    }

    // ---- post-copy recovery (PROTOCOL §5.6)

    /**
     * The link broke after the switch-over: postcopy-paused. Both connections of this epoch are closed (the
     * source then pauses too), the guest runs on and waits at its next missing page, and the migration fails
     * only if no recovery comes within the recover timeout.
     */
    private synchronized void pause(String why) {
        if (state != State.RUNNING) {
            return;
        }
        state = State.PAUSED;
        int pause = ++pauses;
        linkEvents.accept("postcopy-paused: " + why);
        faults.pause();
        PeerChannel[] old = {bulk, urgent};
        bulk = null;
        urgent = null;
        for (PeerChannel channel : old) {
            if (channel != null) {
                channel.close();
            }
        }
        CompletableFuture.delayedExecutor(recoverTimeoutMillis, TimeUnit.MILLISECONDS).execute(() -> {
            synchronized (this) {
                if (pauses != pause || state != State.PAUSED) {
                    return; // recovered meanwhile
                }
            }
            fail(new ProtocolException(AbortReason.TIMEOUT, "post-copy recovery: the source did not reconnect within "
                    + recoverTimeoutMillis + " ms of the link's loss (" + why + "); the guest cannot get its missing pages"));
        });
    }

    /**
     * Paused, with the bulk connection of a newer epoch attached (RECOVERED sent) and its urgent one not yet:
     * that bulk connection is live. Before the RECOVER, {@link #pause} cleared {@code bulk}.
     */
    private boolean recoveredBulk(MigrationRecord.Channel kind) {
        return state == State.PAUSED && kind == MigrationRecord.Channel.BULK && bulk != null;
    }

    private void onRecover(MigrationRecord.Recover recover, MigrationRecord.Channel kind, PeerChannel channel,
                           ConnectionSink sink) {
        // The write lock waits for page copies of the old connections still under way: the bitmap then holds
        // every page they brought, and later ones are dropped as stale.
        ramInUse.writeLock().lock();
        try {
            synchronized (this) {
                if (incoming == null && kind == MigrationRecord.Channel.BULK) {
                    // The source lost the link after sending SWITCH_OVER, which never got here: this session must
                    // never resume the guest now (a SWITCH_OVER still in flight on the old connection is refused),
                    // and the refusal tells the source the guest is its own again.
                    recoverRefused = true;
                    fail(new ProtocolException(AbortReason.CONNECTION_LOST, "the source reconnected before the "
                            + "switch-over got here: it keeps the guest"));
                    throw new ProtocolException(AbortReason.BAD_STATE, "nothing to recover: migration " + id
                            + " never switched over here (state " + state + "); it is abandoned, the guest is the source's");
                }
                if (incoming == null || state != State.RUNNING && state != State.PAUSED) {
                    throw new ProtocolException(AbortReason.BAD_STATE, "nothing to recover: migration " + id
                            + " is in state " + state);
                }
                if (kind == MigrationRecord.Channel.BULK) {
                    if (recover.epoch() <= epoch) {
                        throw new ProtocolException(AbortReason.BAD_STATE, "stale recovery epoch " + recover.epoch()
                                + ": migration " + id + " is at epoch " + epoch);
                    }
                    pause("a newer connection, epoch " + recover.epoch()); // the source saw the loss first
                    if (bulk != null) {
                        bulk.close(); // the bulk connection of a recovery that never got its urgent one
                    }
                    epoch = recover.epoch();
                    sink.epochOfThis = epoch;
                    bulk = channel;
                    PageBitmap received = incoming.receivedBitmap();
                    bulk.sendNow(new MigrationRecord.Recovered(epoch, received.cardinality(), received.toByteArray()));
                    if (usesUrgent) {
                        return; // requests wait for the urgent connection of this epoch
                    }
                } else {
                    if (recover.epoch() == epoch && state == State.PAUSED && bulk == null && urgent == null) {
                        // This epoch's recovered bulk connection broke (it brought a damaged page, or closed)
                        // before its urgent one got here. The migration still waits for its source: the answer
                        // is a lost link, which the source recovers from with a newer epoch. A refusal for good
                        // would make it give up, and leave the guest here without its missing pages.
                        throw new ProtocolException(AbortReason.CONNECTION_LOST, "urgent connection of epoch "
                                + recover.epoch() + " came after its bulk connection was lost: migration " + id
                                + " waits, paused, for a recovery with a newer epoch");
                    }
                    if (recover.epoch() != epoch || state != State.PAUSED || bulk == null || urgent != null) {
                        throw new ProtocolException(AbortReason.BAD_STATE, "urgent connection of epoch "
                                + recover.epoch() + " refused: migration " + id + " is at epoch " + epoch);
                    }
                    sink.epochOfThis = epoch;
                    urgent = channel;
                }
                state = State.RUNNING;
                faults.resume(urgent != null ? urgent : bulk);
                linkEvents.accept("post-copy recovered (epoch " + epoch + ")");
            }
        } finally {
            ramInUse.writeLock().unlock();
        }
        maybeComplete();
    }

    private void handle(MigrationRecord record, MigrationRecord.Channel kind, int from) {
        switch (record) {
            case PageBatch batch -> {
                try {
                    onPages(batch, kind, from);
                } finally {
                    batch.release();
                }
            }
            case MigrationRecord.GuestConfig config -> onConfig(config);
            case MigrationRecord.RoundEnd roundEnd -> requireState(State.RECEIVING, roundEnd);
            case MigrationRecord.GuestStateRecord state -> onGuestState(state);
            case MigrationRecord.SwitchOver switchOver -> onSwitchOver(switchOver);
            case MigrationRecord.PagesDone done -> onPagesDone(done);
            case MigrationRecord.ProgressHint hint -> {
                // for humans; nothing to do
            }
            case MigrationRecord.Heartbeat h -> {
                // the transport consumes heartbeats; one that got here only says the peer is alive
            }
            case MigrationRecord.Hello h -> throw unexpected(h);
            case MigrationRecord.Auth a -> throw unexpected(a);
            case MigrationRecord.Resumed r -> throw unexpected(r);
            case MigrationRecord.PageRequest p -> throw unexpected(p);
            case MigrationRecord.Complete c -> throw unexpected(c);
            case MigrationRecord.DestinationStats s -> throw unexpected(s);
            case MigrationRecord.FaultStages s -> throw unexpected(s);
            case MigrationRecord.Recover r -> throw unexpected(r);
            case MigrationRecord.Recovered r -> throw unexpected(r);
            case MigrationRecord.Ready r -> throw unexpected(r);
            case MigrationRecord.Abort a -> fail(new ProtocolException(a.reason(), "the source aborted: " + a.message()));
        }
    }

    /**
     * The urgent connection carries the answers to page requests (and hints for humans); everything of
     * the migration's course goes on the bulk connection (PROTOCOL §1).
     */
    private void requireUrgent(MigrationRecord record) {
        boolean allowed = switch (record) {
            case PageBatch batch -> batch.reason() == org.migrationlab.migration.protocol.SendReason.DEMAND;
            case MigrationRecord.ProgressHint hint -> true;
            case MigrationRecord.Abort abort -> true;
            default -> false;
        };
        if (!allowed) {
            if (record instanceof PageBatch batch) {
                batch.release();
            }
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type()
                    + (record instanceof PageBatch batch ? " (" + batch.reason() + ")" : "")
                    + " on the urgent connection, which carries only demanded pages");
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
        machine = machines.empty(machineConfig);
        arrivals.guest(machine.pageCount());
        state = State.RECEIVING;
        journal.record(id, Phase.SOURCE_OWNS, Owner.SOURCE);
        bulk.sendNow(new MigrationRecord.Ready());
    }

    private void onPages(PageBatch batch, MigrationRecord.Channel kind, int from) {
        long read = System.nanoTime(); // the reply's read, for a waiting fault's breakdown
        // Post-copy pages are copied outside the session lock; the read lock keeps a failing session's
        // teardown from unmapping guest RAM under the copy.
        ramInUse.readLock().lock();
        try {
            Migratable target;
            synchronized (this) {
                if (state == State.FAILED || from != epoch || state == State.PAUSED && !recoveredBulk(kind)) {
                    // The session is over and its ABORT sent, or the batch came on a connection of an earlier
                    // epoch: the recovery's bitmap did not count it, so it is dropped and resent.
                    return;
                }
                if (state == State.RECEIVING) {
                    for (int i = 0; i < batch.count(); i++) {
                        long page = checkedPage(machine, batch, i);
                        arrivals.copied(page); // the null guard too: the source's view counts it as sent
                        if (page == 0) {
                            continue; // the null guard: never mapped, always zero
                        }
                        if (batch.encodings()[i] == PageEncoding.ZERO) {
                            machine.installZeroPage(page);
                        } else {
                            int index = i;
                            machine.installPage(page, into -> PageCodec.decodePageInto(batch, index, into));
                        }
                        pagesReceived++;
                    }
                    return;
                }
                if (state != State.RUNNING && state != State.COMPLETING && state != State.PAUSED) {
                    throw unexpected(batch);
                }
                target = machine;
            }
            for (int i = 0; i < batch.count(); i++) {
                long page = checkedPage(target, batch, i);
                // Claimed before it is written: of two copies (bulk push and urgent demand, on two event loops)
                // exactly one touches the page; the other is refused without writing into it.
                if (!incoming.claim(page)) {
                    throw new ProtocolException(AbortReason.BAD_PAGE, "page " + page
                            + (incoming.isPending(page) ? " arrived twice" : " was not expected after the switch-over"));
                }
                if (page != 0) {
                    // The page is absent: the guest cannot see it until it is mapped.
                    if (batch.encodings()[i] == PageEncoding.ZERO) {
                        target.fillZeroPage(page);
                    } else {
                        int index = i;
                        try {
                            target.fillPage(page, into -> PageCodec.decodePageInto(batch, index, into));
                        } catch (ProtocolException e) {
                            if (e.reason() != AbortReason.BAD_CRC && e.reason() != AbortReason.MALFORMED) {
                                throw e;
                            }
                            incoming.unclaim(page);
                            damagedInFlight(page, kind, e);
                            return; // the rest of the batch was not claimed: the recovery sends it again
                        }
                    }
                }
                if (!incoming.arrive(page, read)) {
                    throw new IllegalStateException("page " + page + " was claimed but cannot arrive");
                }
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
     * A page failed its checksum after the switch-over. Before it, the source still runs the guest and the
     * migration just ends; here the guest runs on this side, and ending the migration would lose it. The page
     * was damaged on its way (the source's frozen copy is intact), so the link is treated as broken: both sides
     * pause, and the recovery's bitmap, which lacks the page, has the source send it again. A source whose
     * pages keep arriving damaged is not on a flaky link: after {@link #MAX_DAMAGED_PAGES} the migration fails.
     */
    private synchronized void damagedInFlight(long page, MigrationRecord.Channel kind, ProtocolException damage) {
        if (++damagedPages > MAX_DAMAGED_PAGES) {
            throw new ProtocolException(damage.reason(), damage.getMessage() + " (" + damagedPages
                    + " damaged pages after the switch-over: more than a flaky link)");
        }
        String why = "page " + page + " arrived damaged on the " + kind + " connection (" + damage.getMessage() + ")";
        if (state == State.RUNNING) {
            pause(why);
        } else if (recoveredBulk(kind)) {
            bulk.close(); // the recovered bulk connection brought it: the source recovers again
            bulk = null;
        }
    }

    static final int MAX_DAMAGED_PAGES = 64;

    private static long checkedPage(Migratable target, PageBatch batch, int index) {
        long page = batch.pageNumbers()[index];
        if (page < 0 || page >= target.pageCount()) {
            throw new ProtocolException(AbortReason.BAD_PAGE, "page " + page + " beyond the guest's "
                    + target.pageCount() + " pages");
        }
        if (page == 0 && batch.encodings()[index] != PageEncoding.ZERO) {
            throw new ProtocolException(AbortReason.BAD_PAGE, "page 0 (the null guard) must be a zero page");
        }
        return page;
    }

    private synchronized void onGuestState(MigrationRecord.GuestStateRecord record) {
        requireState(State.RECEIVING, record);
        if (guestState != null) {
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, "a second GUEST_STATE");
        }
        long started = System.nanoTime();
        try {
            guestState = GuestStateCodec.decode(record.image());
        } catch (InvalidGuestStateException e) {
            throw refused(e);
        }
        guestStateDecodeNanos = System.nanoTime() - started;
        if (guestState.pageCount() != machine.pageCount()) {
            throw new ProtocolException(AbortReason.MALFORMED, "GUEST_STATE: a balloon map of "
                    + guestState.pageCount() + " pages for a guest of " + machine.pageCount());
        }
    }

    /** The protocol's view of a state the machine refused. */
    private static ProtocolException refused(InvalidGuestStateException e) {
        AbortReason reason = switch (e.kind()) {
            case MALFORMED -> AbortReason.MALFORMED;
            case BAD_PAGE -> AbortReason.BAD_PAGE;
            case REFUSED -> AbortReason.BAD_STATE;
        };
        return new ProtocolException(reason, "GUEST_STATE: " + e.getMessage());
    }

    private synchronized void onSwitchOver(MigrationRecord.SwitchOver switchOver) {
        long received = System.nanoTime();
        requireState(State.RECEIVING, switchOver);
        if (guestState == null) {
            throw new ProtocolException(AbortReason.BAD_STATE, "SWITCH_OVER before GUEST_STATE");
        }
        if (switchOver.mode() != guest.mode()) {
            throw new ProtocolException(AbortReason.BAD_STATE, "SWITCH_OVER for " + switchOver.mode()
                    + " in a " + guest.mode() + " migration");
        }
        long pageCount = machine.pageCount();
        PageBitmap pending;
        try {
            pending = PageBitmap.fromByteArray(switchOver.pendingBitmap(), pageCount);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(AbortReason.MALFORMED, "SWITCH_OVER: " + e.getMessage());
        }
        if (!switchOver.mode().hasPostcopyPhase() && !pending.isEmpty()) {
            throw new ProtocolException(AbortReason.BAD_STATE, switchOver.mode().label()
                    + " switch-over with pages still pending");
        }
        long restoring = System.nanoTime();
        try {
            machine.restore(guestState, pending);
        } catch (InvalidGuestStateException e) {
            throw refused(e);
        }
        long restored = System.nanoTime();
        if (arrivals != ArrivalObserver.NONE) {
            // Before any post-copy arrival can change the bitmap; without a view no walk adds to the downtime.
            pending.forEach(arrivals::pending);
        }
        incoming = new IncomingPages(pending, arrivals);
        if (incoming.pendingCount() > 0) {
            // Post-copy: no inflation until every page is here; deflations are served locally.
            machine.balloon().ifPresent(BalloonControl::freeze);
        }
        usesUrgent = urgent != null;
        PeerChannel requests = urgent != null ? urgent : bulk;
        faults = new PostcopyFaults(incoming, requests, replyTimeoutMillis, arrivals);
        progressAtResume = machine.progress().units();
        // The journal's disk flush waits until RESUMED is handed over: it would run beside the restore and the
        // resume on the same cores. The entry itself outlives this process when record returns.
        journal.switchOverBegins();
        switchOverHeld = true;
        journal.record(id, Phase.DESTINATION_OWNS, Owner.DESTINATION); // durable before the guest runs here
        resumeNanos = System.nanoTime();
        machine.start(faults);
        machine.ended().whenComplete((end, error) -> {
            // A guest that stops for good before every page arrived (a page that never came, a crash) ends
            // the migration: the source must hear it rather than wait.
            synchronized (this) {
                if (state != State.RUNNING && state != State.COMPLETING) {
                    return;
                }
            }
            if (end instanceof GuestEnd.Halted) {
                return; // the guest finished its work; its remaining pages still arrive
            }
            String why = end instanceof GuestEnd.Failed failed ? failed.message()
                    : "the guest stopped: " + (end != null ? end : error);
            PeerChannel requestChannel;
            synchronized (this) {
                requestChannel = urgent != null ? urgent : bulk;
            }
            if (requestChannel != null && !requestChannel.isOpen()) {
                // The guest failed because its page requests had nowhere to go: the connection was lost first
                // (the channel is closed before the session hears of it).
                fail(new ProtocolException(AbortReason.CONNECTION_LOST, "the source closed the "
                        + requestChannel.kind() + " connection in state RUNNING (" + why + ")"));
                return;
            }
            fail(new ProtocolException(AbortReason.GUEST_FAILED, why));
        });
        state = State.RUNNING;
        bulk.sendNow(new MigrationRecord.Resumed(guestStateDecodeNanos + (restoring - received),
                restored - restoring, System.nanoTime() - restored));
        endSwitchOver();
        maybeComplete();
    }

    private synchronized void onPagesDone(MigrationRecord.PagesDone done) {
        // After a recovery the source says PAGES_DONE again: it changes nothing. It may come on the recovered
        // bulk connection before the urgent one is back (still paused); completion then waits for that one.
        if (state == State.COMPLETING || state == State.DONE) {
            // Nothing was pending at the switch-over (a hybrid whose guest dirtied nothing after its round):
            // every page was here at the resume, and the migration completed before the source's PAGES_DONE
            // came. It says what is already true.
            return;
        }
        if (state != State.RUNNING && state != State.PAUSED) {
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
        Migratable arrived = machine;
        arrived.mapFilledPages().whenComplete((done, error) -> {
            if (error != null) {
                fail(error);
                return;
            }
            arrived.balloon().ifPresent(BalloonControl::unfreeze);
            long units = arrived.progress().units() - progressAtResume;
            double seconds = (System.nanoTime() - resumeNanos) / 1e9;
            FaultStats stats = faults.stats();
            long received;
            synchronized (this) {
                received = pagesReceived;
                state = State.DONE;
            }
            journal.recordBestEffort(id, Phase.COMPLETED, Owner.DESTINATION);
            PeerChannel reply;
            synchronized (this) {
                reply = bulk;
            }
            try {
                if (reply != null) {
                    reply.sendNow(faults.stages());
                    reply.sendNow(new MigrationRecord.DestinationStats(stats.networkFaults(), stats.minorFaults(),
                            stats.requests(), faults.latencyNanos(50), faults.latencyNanos(90),
                            faults.latencyNanos(99), faults.latencyNanos(100)));
                    reply.sendNow(new MigrationRecord.Complete(received));
                }
            } catch (TransportClosedException lost) {
                // sendNow refuses a closed connection. The link broke after the last page: the guest is here all
                // the same, and a recovery of the
                // source learns it (ArrivedMigrationSink). The arrival must complete whatever the link does.
            } finally {
                arrival.complete(new Arrival(arrived, stats, seconds <= 0 ? Double.NaN : units / seconds));
            }
        });
    }

    /** Ends the journal's switch-over hold, once: RESUMED was handed to the connection, or the migration failed. */
    private synchronized void endSwitchOver() {
        if (switchOverHeld) {
            switchOverHeld = false;
            journal.switchOverEnded();
        }
    }

    private void fail(Throwable cause) {
        PeerChannel[] channels;
        synchronized (this) {
            if (state == State.DONE || state == State.FAILED) {
                return;
            }
            if (state != State.AWAITING_CONFIG) { // else nothing of it was journaled, nor held here
                // Once switched over (running, paused or completing) the guest ran here: owner source would tell
                // a restarted daemon that it never did, and let its source roll back on a false proof.
                Owner owner = incoming != null ? Owner.DESTINATION : Owner.SOURCE;
                journal.recordBestEffort(id, Phase.FAILED, owner);
            }
            endSwitchOver();
            state = State.FAILED;
            failure = cause;
            channels = new PeerChannel[] {bulk, urgent};
            if (incoming != null) {
                incoming.abandon(); // a vCPU waiting for a page stops waiting
            }
            Migratable doomed = machine;
            machine = null;
            if (doomed != null) {
                // Before the switch-over nothing of the guest is lost (the source still owns it). After it,
                // the guest here cannot get its missing pages. Tear down off the event loop.
                Thread.ofVirtual().name("destination-teardown").start(() -> {
                    doomed.release();
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

    /** How the source named the guest's image ("" before GUEST_CONFIG or when it named none). */
    /** Waits until {@code page} arrived after the switch-over: tests order what they send by it. */
    boolean awaitArrived(long page, long timeoutMillis) throws InterruptedException {
        IncomingPages pages;
        synchronized (this) {
            pages = incoming;
        }
        return pages != null && pages.awaitArrival(page, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    }

    /** For diagnostics: the migration, its state, whether it switched over, its epoch and why it failed. */
    @Override
    public synchronized String toString() {
        return "destination session " + id + " (" + state + (incoming != null ? ", switched over" : "")
                + ", epoch " + epoch + (failure != null ? ", failed: " + failure.getMessage() : "") + ")";
    }

    public synchronized String imageLabel() {
        return guest == null ? "" : guest.image();
    }

    /** The guest's boot arguments as the source described them (for reports). */
    public synchronized Map<String, String> guestArgs() {
        return guest == null ? Map.of() : guest.args();
    }
}
