package org.migrationlab.migration.session;

import org.migrationlab.emulator.memory.GuestMemory;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.util.ReferenceCountUtil;
import org.migrationlab.emulator.port.FrozenGuest;
import org.migrationlab.emulator.port.GuestStateCodec;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.pages.PageEncoder;
import org.migrationlab.migration.pages.PageSender;
import org.migrationlab.migration.pages.SentPages;
import org.migrationlab.migration.postcopy.PageServer;
import org.migrationlab.migration.postcopy.PostcopyPush;
import org.migrationlab.migration.postcopy.prepage.Direction;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategies;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;
import org.migrationlab.migration.policy.GuardedPrepage;
import org.migrationlab.migration.policy.GuardedStopPolicy;
import org.migrationlab.migration.policy.LoadedPolicy;
import org.migrationlab.migration.precopy.PrecopyRounds;
import org.migrationlab.migration.precopy.stop.StopPolicies;
import org.migrationlab.migration.precopy.stop.StopPolicy;
import org.migrationlab.migration.progress.ChannelBytes;
import org.migrationlab.migration.step.StepGate;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Abort;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.DowntimeBreakdown;
import org.migrationlab.migration.report.FaultLatencyBreakdown;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.restart.CheckpointSink;
import org.migrationlab.migration.restart.SourceCheckpoint;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.HandshakeException;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.PeerAbortedException;
import org.migrationlab.migration.transport.PeerChannel;
import org.migrationlab.migration.transport.RecordSink;
import org.migrationlab.migration.transport.TransportClosedException;

/**
 * Moves one running guest to a destination (PROTOCOL §1): pre-copy rounds, the switch-over pause, then
 * post-copy serving for the pages still to come, until the destination confirms every page. Runs on
 * the calling thread ({@code migration-source}); reaches the guest only through its {@link Migratable}
 * port. The round loop lives in {@link PrecopyRounds}, the push in {@link PostcopyPush}, demand replies in
 * {@link PageServer}.
 *
 * <p>The source never loses a guest it still owns (PROTOCOL §5.1): any failure before the destination
 * reported RESUMED lets the guest run on here; the guest is released only after COMPLETE.
 */
public final class SourceSession {
    private final Migratable guest;
    private final String imageLabel;
    private final MigrationConfig config;
    private final MigrationClient client;
    private final InetSocketAddress destination;
    private final MigrationProgress progress;
    private final Inbox inbox = new Inbox(256);
    private final SentPages everSent;
    private final SentPages sent;
    private final PageEncoder encoder;
    private final PageServer pages;
    private final long replyTimeoutMillis;
    private volatile PeerChannel bulk; // volatile: progress reads its byte count from other threads
    private volatile PeerChannel urgent;
    private StepGate steps = StepGate.OPEN;
    private UUID migrationId;
    /** Bytes written on the connections of earlier epochs (before a post-copy recovery). */
    private long bytesOfEarlierEpochs;
    private boolean ownershipPassed;
    /** SWITCH_OVER went out, then the link, and no recovery could tell whether the destination resumed. */
    private boolean guestInDoubt;
    private OwnershipJournal journal = OwnershipJournal.NONE;
    private CheckpointSink checkpoints = CheckpointSink.NONE;
    /** A restarted source before its first recovery: what the destination lacks was never sent by this process. */
    private boolean restartedBeforeRecovery;
    /** Pages the destination lacked when a restarted source reconnected; -1 for a source that did not restart. */
    private long pagesOwedAtRestart = -1;
    /** Set (session thread) just before SWITCH_OVER goes out; read by the event loops' sink. */
    private volatile boolean switchOverSent;
    /** When the SWITCH_OVER's write completed (set by the bulk event loop); 0 before. */
    private volatile long switchOverWrittenNanos;
    /**
     * Set when the destination proved, on an authenticated connection, that it lost the guest (ABORT
     * GUEST_LOST): the one reason this side resumes its frozen copy after RESUMED (PROTOCOL §5.7).
     */
    private volatile boolean destinationLostGuest;
    /** The operator's word that the destination is dead, taken while redialling; null when none came. */
    private OperatorFence.Request fenced;
    private OperatorFence fence = new OperatorFence(); // nobody asks: never fenced
    /** When the link was last lost in post-copy (System.nanoTime); 0 before. */
    private long linkLostNanos;
    /** The rollback, when there was one. */
    private MigrationReport.Rollback rollback;

    /**
     * @param guest a running guest (started by the caller); the session pauses, freezes, resumes or
     *              releases it through its port
     */
    public SourceSession(Migratable guest, MigrationConfig config, MigrationClient client,
                         InetSocketAddress destination, long replyTimeoutMillis) {
        this(guest, "", config, client, destination, replyTimeoutMillis);
    }

    /** @param imageLabel how the destination's reports name the guest's image ("" for none) */
    public SourceSession(Migratable guest, String imageLabel, MigrationConfig config, MigrationClient client,
                         InetSocketAddress destination, long replyTimeoutMillis) {
        this.guest = guest;
        this.imageLabel = imageLabel;
        this.config = config;
        this.client = client;
        this.destination = destination;
        this.replyTimeoutMillis = replyTimeoutMillis;
        long guestPages = guest.pageCount();
        this.progress = new MigrationProgress(guestPages);
        this.everSent = new SentPages(guestPages);
        this.sent = new SentPages(guestPages);
        this.encoder = new PageEncoder(guest, everSent, progress);
        this.pages = new PageServer(encoder, sent, progress, compression());
        progress.channelBytes(() -> {
            PeerChannel b = bulk;
            PeerChannel u = urgent;
            return new ChannelBytes(b == null ? 0 : b.bytesWritten(), u == null ? 0 : u.bytesWritten());
        });
    }

    /**
     * Whether the destination took the guest over (it said RESUMED, or may have: SWITCH_OVER went out and
     * no recovery could tell): after a failure, false means the guest runs on here, true that this side
     * holds only its paused copy. Read after {@link #migrate()}.
     */
    public boolean destinationTookGuest() {
        return ownershipPassed || guestInDoubt;
    }

    /** Where ownership transitions are journaled (none by default); set before {@link #migrate()}. */
    public void journal(OwnershipJournal ownershipJournal) {
        this.journal = ownershipJournal;
    }

    /** Where the operator's fence reaches this session (none by default); set before {@link #migrate()}. */
    public void fence(OperatorFence operatorFence) {
        this.fence = Objects.requireNonNull(operatorFence, "operatorFence");
    }

    /**
     * Where the source's checkpoint goes, durably, before SWITCH_OVER goes out in post-copy and hybrid (nowhere
     * by default); set before {@link #migrate()}.
     */
    public void checkpoints(CheckpointSink sink) {
        this.checkpoints = Objects.requireNonNull(sink, "sink");
    }

    /** Step mode's gate (open by default); set before {@link #migrate()}. */
    public void steps(StepGate gate) {
        this.steps = Objects.requireNonNull(gate, "gate");
    }

    /** Live statistics, for progress lines from another thread. */
    public MigrationProgress progress() {
        return progress;
    }

    private PageCodec.Compression compression() {
        return config.compress() ? PageCodec.Compression.DEFLATE : PageCodec.Compression.NONE;
    }

    /**
     * Migrates. On success the source's guest has been released (its vCPU stopped; the caller still closes
     * the machine). On failure before the switch-over the guest keeps running here.
     */
    public MigrationReport migrate() throws InterruptedException {
        Timeline time = new Timeline();
        StopPolicy policy = config.loaded().stopPolicy(StopPolicies.create(config.stopPolicy(),
                TimeUnit.MILLISECONDS.toNanos(config.downtimeTargetMillis()), config.limits()), config.stopPolicy(),
                config.limits().maxRounds());
        stopPolicyInUse = policy;
        String switchReason = switchReasonWithoutRounds(config.mode());
        long expectedDowntimeNanos = -1;
        FaultStats faults = FaultStats.NONE;
        long progressAtStart = guest.progress().units();
        long progressAtPause = progressAtStart;
        try {
            connect();
            progress.phase("config");
            bulk.send(new MigrationRecord.GuestConfig(guest.config().ramBytes(), guest.config().bootArgs().seed(),
                    config.mode(), guest.config().bootArgs().workload(), guest.config().bootArgs().args(), imageLabel),
                    replyTimeoutMillis);
            if (config.mode().hasPostcopyPhase()) {
                checkpoints.prepare(guest.pageCount()); // now, so the save at the switch-over only writes
            }
            // The destination builds its machine while the guest still runs here: post-copy and stop-and-copy
            // pause it next.
            awaitRecord(MigrationRecord.Ready.class, "READY");
            time.setupDone = System.nanoTime();
            PageBitmap unsentDirty = null;
            if (config.mode().hasLiveRounds()) {
                PrecopyRounds.Outcome rounds;
                try (PageSender sender = sender(false)) {
                    // With a post-copy phase after them (hybrid), round 0 alone: post-copy sends what it dirtied.
                    rounds = new PrecopyRounds(guest, bulk, progress, replyTimeoutMillis, this::bytesWritten, steps)
                            .run(sender, policy, config.dirtyLog(), config.mode().hasPostcopyPhase());
                }
                switchReason = rounds.decision().reason();
                expectedDowntimeNanos = rounds.decision().expectedDowntimeNanos();
                unsentDirty = rounds.unsentDirty();
            }
            time.freezeRequested = System.nanoTime();
            FrozenGuest frozen = freeze(unsentDirty);
            time.paused = System.nanoTime();
            time.stopped = frozen.stoppedAtNanos();
            progressAtPause = frozen.progressUnits();
            time.bytesAtPause = bytesWritten();
            PageBitmap pending;
            MigrationRecord.Resumed resumed;
            checkpoints.switchOverBegins();
            try {
                pending = switchOver(frozen);
                resumed = awaitResumedOrRecover();
            } finally {
                checkpoints.switchOverEnded();
            }
            time.resumed = System.nanoTime();
            time.destination = resumed;
            time.bytesAtResume = bytesWritten();
            ownershipPassed = true;
            journal.recordBestEffort(migrationId, Phase.DESTINATION_OWNS, Owner.DESTINATION); // already true there
            // After a recovery in place of RESUMED, PAGES_DONE (even of nothing) asks for the COMPLETE that was lost.
            MigrationRecord.Complete complete = pending.isEmpty() && resumed != null ? awaitCompletion() : postcopy();
            faults = lastFaultStats != null ? lastFaultStats : FaultStats.NONE;
            time.completed = System.nanoTime();
            progress.remainingPages(0);
            progress.phase("completed");
            journal.recordBestEffort(migrationId, Phase.COMPLETED, Owner.DESTINATION);
            guest.release(); // the guest lives on at the destination
            return report("completed", null, switchReason, expectedDowntimeNanos, time, faults,
                    rate(progressAtStart, progressAtPause, time.start, time.paused));
        } catch (RuntimeException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof RecoveryFailedException) {
                // nothing to add: it says why recovery ended
            } else {
                cause = whyClosed(cause);
            }
            String error = describe(cause);
            abortPeer(cause);
            if (fenced != null) {
                // The operator's word, not the destination's proof: carried out as a rollback all the same.
                boolean done = rollBack(error);
                fenced.answer().complete(done ? new OperatorFence.Answer.RolledBack(migrationId, "the guest runs on"
                        + " the source from the switch-over") : new OperatorFence.Answer.Refused("the journal could not"
                        + " record the rollback: the source keeps its copy paused"));
                if (done) {
                    return report(MigrationReport.ROLLED_BACK, error + " (rolled back: the guest runs on the source"
                            + " from the switch-over)", switchReason, expectedDowntimeNanos, time, faults,
                            MigrationReport.ProgressRates.UNKNOWN.before());
                }
            }
            // Before or after RESUMED: the destination proved its copy gone.
            if (destinationLostGuest && rollBack(error)) {
                return report(MigrationReport.ROLLED_BACK, error + " (rolled back: the guest runs on the source from"
                        + " the switch-over)", switchReason, expectedDowntimeNanos, time, faults,
                        MigrationReport.ProgressRates.UNKNOWN.before());
            }
            if (!ownershipPassed && !(switchOverSent && cause instanceof RecoveryFailedException)) {
                journal.recordBestEffort(migrationId, switchOverSent ? Phase.ROLLED_BACK : Phase.FAILED, Owner.SOURCE);
                giveGuestBack();
                progress.phase("failed");
                return report("failed", error + " (the guest keeps running on the source)", switchReason,
                        expectedDowntimeNanos, time, faults, rate(progressAtStart, progressAtPause, time.start,
                                time.paused == 0 ? System.nanoTime() : time.paused));
            }
            guestInDoubt = !ownershipPassed; // SWITCH_OVER went out and no answer came: not this side's to run
            journal.recordBestEffort(migrationId, Phase.FAILED, Owner.DESTINATION);
            progress.phase("failed");
            return report("failed", error + (ownershipPassed ? " (after the switch-over: the destination runs the "
                    + "guest; the source keeps its paused copy)" : " (after SWITCH_OVER: the destination may have "
                    + "resumed the guest, so the source keeps its paused copy and does not resume it)"),
                    switchReason, expectedDowntimeNanos, time, faults,
                    MigrationReport.ProgressRates.UNKNOWN.before());
        } finally {
            inbox.drain();
            closeChannels();
        }
    }

    /**
     * Takes a post-copy migration over from a source process that died after the switch-over (docs/FAULTS.md):
     * {@code guest} is its frozen guest reopened from the state directory, which this session only reads. The
     * session reconnects as a post-copy recovery would (PROTOCOL §5.6), from {@code checkpoint}'s first epoch;
     * the destination's bitmap says which pages it holds, and this side serves exactly the others, then waits
     * for COMPLETE. {@code checkpoint} must be the one the dead process saved, already counted as restarted.
     * This overload cannot run the guest here: on the destination's proof that it does not hold the guest the
     * migration fails, and the state directory keeps it.
     */
    public MigrationReport finishAfterRestart(SourceCheckpoint checkpoint) throws InterruptedException {
        return finishAfterRestart(checkpoint, () -> {
            throw new IllegalStateException("this source cannot run the guest from its checkpoint");
        });
    }

    /**
     * As {@link #finishAfterRestart(SourceCheckpoint)}; when the destination proves it does not hold the guest
     * (ABORT GUEST_LOST: it never ran it, or ran and lost it), the hand-back is journaled durably and
     * {@code runHere} starts the guest on this side from the checkpoint (the switch-over): a rollback.
     */
    public MigrationReport finishAfterRestart(SourceCheckpoint checkpoint, Runnable runHere)
            throws InterruptedException {
        Timeline time = new Timeline();
        migrationId = checkpoint.migrationId();
        switchOverSent = true;
        // Owned by the destination as far as this side knows; RECOVERED confirms it, a refusal ends the session.
        ownershipPassed = true;
        restartedBeforeRecovery = true;
        restartedFrom = checkpoint;
        inbox.startEpochsAfter(checkpoint.firstEpoch() - 1);
        // Until the destination's bitmap arrives nothing may go out: every page counts as sent, and the bitmap
        // then unmarks those the destination lacks.
        sent.markSentRange(0, progress.guestPages());
        sentAtSwitchOver = 0;
        pages.activate();
        FaultStats faults = FaultStats.NONE;
        try {
            recover(new TransportClosedException("the source process was restarted"));
            postcopy();
            faults = lastFaultStats != null ? lastFaultStats : FaultStats.NONE;
            time.completed = System.nanoTime();
            completedAtMillis = System.currentTimeMillis();
            progress.remainingPages(0);
            progress.phase("completed");
            journal.recordBestEffort(migrationId, Phase.COMPLETED, Owner.DESTINATION);
            return report("completed", null, "restarted", -1, time, faults, Double.NaN);
        } catch (RuntimeException e) {
            Throwable cause = whyClosed(e);
            String error = describe(cause);
            abortPeer(cause);
            if (destinationLostGuest && rollBackFromCheckpoint(error, runHere)) {
                return report(MigrationReport.ROLLED_BACK, error + " (rolled back: the guest runs again on the source"
                        + " from its checkpoint at the switch-over)", "restarted", -1, time, faults, Double.NaN);
            }
            journal.recordBestEffort(migrationId, Phase.FAILED, Owner.DESTINATION);
            progress.phase("failed");
            return report("failed", error + " (a restarted source; its state directory keeps the guest's pages)",
                    "restarted", -1, time, faults, Double.NaN);
        } finally {
            inbox.drain();
            closeChannels();
        }
    }

    /** What the report says of a restart: null for a source that did not restart. */
    private SourceCheckpoint restartedFrom;
    private long completedAtMillis;

    private MigrationReport.SourceRestart restart() {
        if (restartedFrom == null) {
            return null;
        }
        return new MigrationReport.SourceRestart(restartedFrom.restarts(), restartedFrom.migrationId().toString(),
                pagesOwedAtRestart, everSent.sentCount(), reconnectedAtMillis, completedAtMillis, -1);
    }

    /** When a restarted source's bulk connection was recovered (wall clock, ms); 0 before. */
    private long reconnectedAtMillis;

    /** Pages the destination lacked when this restarted source reconnected; -1 when it did not restart. */
    public long pagesOwedAtRestart() {
        return pagesOwedAtRestart;
    }

    /** Pages this process sent (a restarted source: what it served). */
    public long pagesSentHere() {
        return everSent.sentCount();
    }

    // ---- connection

    private void connect() throws InterruptedException {
        progress.phase("connecting");
        migrationId = UUID.randomUUID();
        journal.record(migrationId, Phase.SOURCE_OWNS, Owner.SOURCE);
        bulk = client.connect(destination, migrationId, MigrationRecord.Channel.BULK, new Sink(0));
        if (config.urgentChannel()) {
            urgent = client.connect(destination, migrationId, MigrationRecord.Channel.URGENT, new Sink(0));
        }
    }

    /**
     * Inbound records of both channels of one epoch: page requests are served at once, the rest go to the
     * inbox. What a connection of an earlier epoch still reports is dropped (PROTOCOL §5.6).
     */
    private final class Sink implements RecordSink {
        private final int epoch;

        Sink(int epoch) {
            this.epoch = epoch;
        }

        @Override
        public void authenticated(Handshake handshake, PeerChannel channel) {
        }

        @Override
        public void received(MigrationRecord record, PeerChannel channel) {
            boolean onBulk = channel.kind() == MigrationRecord.Channel.BULK;
            if (record instanceof PageRequest ? onBulk && config.urgentChannel() : !onBulk && !(record instanceof Abort)
                    && !(record instanceof MigrationRecord.ProgressHint)) {
                // Page requests belong on the urgent connection (when there is one), everything else on the bulk one.
                ReferenceCountUtil.release(record);
                throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type() + " from the destination on the "
                        + channel.kind() + " connection");
            }
            switch (record) {
                case PageRequest request -> {
                    // A stale connection's request is not served: its answer could not arrive, and marking the
                    // page sent after the recovery's bitmap would lose it.
                    if (epoch == inbox.currentEpoch()) {
                        pages.serve(request, channel);
                    }
                }
                case MigrationRecord.Resumed r -> {
                    if (!switchOverSent) {
                        throw unexpected(r); // it answers no SWITCH_OVER: the guest is still ours
                    }
                    inbox.offer(r, epoch);
                }
                case MigrationRecord.Complete c -> inbox.offer(c, epoch);
                case MigrationRecord.DestinationStats s -> inbox.offer(s, epoch);
                case MigrationRecord.FaultStages s -> inbox.offer(s, epoch);
                case MigrationRecord.Recovered r -> inbox.offer(r, epoch);
                case MigrationRecord.Ready r -> inbox.offer(r, epoch);
                case MigrationRecord.Recover r -> throw unexpected(r);
                case MigrationRecord.ProgressHint hint -> {
                    // for humans watching the destination; nothing to do here
                }
                case MigrationRecord.Heartbeat h -> {
                    // the transport consumes heartbeats; one that got here only says the peer is alive
                }
                case MigrationRecord.Hello h -> throw unexpected(h);
                case MigrationRecord.Auth a -> throw unexpected(a);
                case MigrationRecord.GuestConfig g -> throw unexpected(g);
                case MigrationRecord.PageBatch b -> {
                    b.release();
                    throw unexpected(b);
                }
                case MigrationRecord.RoundEnd r -> throw unexpected(r);
                case MigrationRecord.GuestStateRecord g -> throw unexpected(g);
                case MigrationRecord.SwitchOver s -> throw unexpected(s);
                case MigrationRecord.PagesDone p -> throw unexpected(p);
                case Abort a -> inbox.fail(new ProtocolException(a.reason(), "the destination aborted: " + a.message()),
                        epoch);
            }
        }

        @Override
        public void failed(PeerChannel channel, Throwable cause) {
            if (cause instanceof PeerAbortedException aborted && aborted.reason() == AbortReason.GUEST_LOST
                    && switchOverSent && epoch == inbox.currentEpoch()) {
                // An ABORT reaches a sink only after the handshake: it is sealed with keys only a holder of the
                // secret has, so nobody on the path can forge this proof.
                destinationLostGuest = true;
            }
            inbox.fail(cause, epoch);
        }

        @Override
        public void closed(PeerChannel channel) {
            inbox.fail(new TransportClosedException(
                    "the destination closed the " + channel.kind() + " connection"), epoch);
        }
    }

    /**
     * A send that found its channel closed says less than why it closed (an ABORT, bad input, the peer's close),
     * which the connection reports from its event loop, perhaps a moment later: that reason, when it comes in
     * time; any other failure as it is.
     */
    private Throwable whyClosed(Throwable cause) throws InterruptedException {
        if (!(cause instanceof TransportClosedException)) {
            return cause;
        }
        Throwable why = inbox.awaitFailure(CLOSE_REASON_WAIT_MILLIS);
        return why != null ? why : cause;
    }

    private static ProtocolException unexpected(MigrationRecord record) {
        return new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type() + " from the destination");
    }

    // ---- switch-over

    /**
     * Pauses the guest for good, capturing the last dirty pages when logging ran (with those of the last
     * round, not yet sent).
     */
    private FrozenGuest freeze(PageBitmap unsentDirty) throws InterruptedException, ExecutionException {
        progress.phase("switch-over");
        FrozenGuest frozen = guest.freeze().get();
        // The vCPU completes ended() before it serves a later command, so this is exact once frozen.
        guestEndedBeforeSwitchOver = guest.ended().isDone();
        if (unsentDirty != null) {
            frozen.dirty().or(unsentDirty);
        }
        balloonAtSwitchOver = BalloonSummary.of(guest.config(), frozen.balloon());
        progress.dirtyLogFaults(frozen.dirtyLogFaults());
        return frozen;
    }

    /**
     * Sends what the destination needs to resume; returns the pages still to come (post-copy). Ballooned
     * pages are neither sent nor pending: BALLOON_MAP tells the destination to start them ballooned.
     */
    private PageBitmap switchOver(FrozenGuest frozen) throws InterruptedException {
        long guestPages = progress.guestPages();
        PageBitmap ballooned = frozen.state().ballooned();
        PageBitmap pending = new PageBitmap(guestPages);
        switch (config.mode()) {
            case PRECOPY -> {
                try (PageSender sender = sender(true)) {
                    PrecopyRounds.sendAll(sender, frozen.dirty(), SendReason.STOP_AND_COPY, 0, progress, guest);
                    sender.flush();
                }
            }
            case POSTCOPY -> pending.setRange(0, guestPages);
            case HYBRID -> pending.or(frozen.dirty());
            case STOP_AND_COPY -> {
                // No round ran, so no page is at the destination yet: every page goes out now, but the ballooned.
                PageBitmap every = new PageBitmap(guestPages);
                every.setRange(0, guestPages);
                try (PageSender sender = sender(true)) {
                    PrecopyRounds.sendAll(sender, every, SendReason.STOP_AND_COPY, 0, progress, guest);
                    sender.flush();
                }
            }
        }
        long pendingBefore = pending.cardinality();
        pending.andNot(ballooned);
        for (long page = ballooned.nextSetBit(0); page >= 0; page = ballooned.nextSetBit(page + 1)) {
            progress.pageObserver().ballooned(page);
        }
        progress.balloonedSkipped(pendingBefore - pending.cardinality());
        // Pages not pending are at the destination (or ballooned): post-copy serves only the rest.
        for (long from = pending.nextClearBit(0); from >= 0; ) {
            long to = pending.nextSetBit(from);
            sent.markSentRange(from, to < 0 ? guestPages : to);
            from = to < 0 ? -1 : pending.nextClearBit(to);
        }
        progress.remainingPages(pending.cardinality());
        sentAtSwitchOver = sent.sentCount();
        byte[] stateImage = GuestStateCodec.encode(frozen.state());
        bulk.send(new MigrationRecord.GuestStateRecord(stateImage), replyTimeoutMillis);
        pages.activate();
        long durableFrom = System.nanoTime();
        if (config.mode().hasPostcopyPhase()) {
            // Before the journal's switch-over-sent: a source restarted after that finds all it needs to go on.
            checkpoints.save(new SourceCheckpoint(migrationId, destination.getHostString() + ":" + destination.getPort(),
                    config.mode(), guest.config(), imageLabel, stateImage, pending.toByteArray(), 0));
        }
        journal.record(migrationId, Phase.SWITCH_OVER_SENT, Owner.SOURCE); // durable before the guest may run there
        boolean durable = journal != OwnershipJournal.NONE || checkpoints != CheckpointSink.NONE;
        durableWriteNanos = durable ? System.nanoTime() - durableFrom : 0;
        switchOverSent = true;
        bulk.send(new MigrationRecord.SwitchOver(config.mode(), pending.cardinality(), pending.toByteArray()),
                replyTimeoutMillis).addListener(written -> switchOverWrittenNanos = System.nanoTime());
        progress.phase("awaiting resume");
        return pending;
    }

    /** The checkpoint's and the journal entry's writes at the switch-over; 0 when neither is durable. */
    private long durableWriteNanos;

    /** Pages at the destination (or ballooned) when SWITCH_OVER went out: what came after is post-copy's. */
    private long sentAtSwitchOver;

    // ---- post-copy and its recovery

    /**
     * RESUMED, or null when the link broke before it came. SWITCH_OVER has gone out, so the destination may
     * have resumed the guest already: resuming it here too on a bare link loss would run it on both sides.
     * Only the destination's answer to a recovery tells: RECOVERED (it runs the guest; post-copy goes on), or
     * an authenticated refusal (it never switched over, or gave the migration up: the guest is this side's
     * again, and the caller resumes it). A destination that cannot be reached within the recover timeout leaves
     * the guest in doubt, and this side keeps its paused copy.
     */
    private MigrationRecord.Resumed awaitResumedOrRecover() throws InterruptedException {
        try {
            return awaitRecord(MigrationRecord.Resumed.class, "RESUMED");
        } catch (RuntimeException e) {
            Throwable cause = linkLoss(e);
            if (cause == null) {
                throw e;
            }
            try {
                recover(cause);
            } catch (HandshakeException unauthenticated) {
                // Anyone on the path can refuse a handshake: that proves nothing about the guest.
                throw new RecoveryFailedException("the destination refused the reconnection before it proved the "
                        + "secret (" + unauthenticated.getMessage() + "): whether it resumed the guest is unknown");
            }
            return null;
        }
    }

    /**
     * Serves the pages still to come until COMPLETE. When the link breaks the migration is paused, not
     * failed: the guest lives at the destination and this frozen copy holds its missing pages, so the
     * session reconnects and goes on (PROTOCOL §5.6).
     */
    private MigrationRecord.Complete postcopy() throws InterruptedException {
        while (true) {
            try {
                progress.phase("postcopy");
                push();
                return awaitCompletion();
            } catch (RuntimeException e) {
                Throwable cause = linkLoss(e);
                if (cause == null) {
                    throw e;
                }
                recover(cause);
            }
        }
    }

    /**
     * The link's loss behind a failure of the post-copy phase, or null when the failure is not the link's: what
     * the connections reported (closed, silent past the peer timeout, an ABORT saying so), or a send that found
     * a connection closed before its close was reported. A destination that is alive but does not answer in
     * time, or stops reading while it still heartbeats, is not a broken link: reconnecting would not mend it.
     */
    private Throwable linkLoss(RuntimeException e) {
        Throwable reported = inbox.failure();
        if (reported != null) {
            return LinkLoss.is(reported) ? reported : null;
        }
        boolean closed = bulk == null || !bulk.isOpen() || urgent != null && !urgent.isOpen();
        return e instanceof TransportClosedException && closed ? e : null;
    }

    private MigrationRecord.Complete awaitCompletion() throws InterruptedException {
        progress.phase("completing");
        return awaitComplete();
    }

    /**
     * postcopy-paused, then postcopy-recover: redials with backoff until the recover timeout, proves the
     * secret again, opens the new connections with RECOVER(epoch), and takes the destination's bitmap of
     * pages received: what was lost in flight becomes unsent again, so the push resends exactly that.
     */
    private void recover(Throwable lost) throws InterruptedException {
        long lostAt = System.nanoTime();
        linkLostNanos = lostAt;
        long deadline = lostAt + TimeUnit.MILLISECONDS.toNanos(config.recoverTimeoutMillis());
        progress.phase("postcopy-paused");
        closeChannels();
        fence.hold(migrationId);
        try {
            redial(lost, lostAt, deadline);
        } finally {
            fence.release(fenced != null ? "" : "the source stopped redialling: post-copy recovered, or gave up:"
                    + " see its report");
        }
    }

    private void redial(Throwable lost, long lostAt, long deadline) throws InterruptedException {
        long backoffMillis = RECOVER_BACKOFF_FIRST_MILLIS;
        Throwable last = lost;
        while (true) {
            int epoch = inbox.nextEpoch();
            throwIfFenced(fence.poll());
            try {
                progress.phase("postcopy-recover");
                reconnect(epoch, deadline);
                progress.recovered(System.nanoTime() - lostAt);
                return;
            } catch (RuntimeException e) {
                Throwable reported = inbox.failure();
                if (LinkLoss.isRefusal(e) || LinkLoss.isRefusal(reported)) {
                    // the destination refused us for good (it gave up, or never knew this migration)
                    throw LinkLoss.isRefusal(reported) && reported instanceof RuntimeException r ? r : e;
                }
                last = reported != null ? reported : e;
                closeChannels();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new RecoveryFailedException("post-copy recovery gave up after "
                        + config.recoverTimeoutMillis() + " ms (the recover timeout): "
                        + describe(last) + "; the guest at the destination lacks pages only this source holds and "
                        + "cannot be recovered by reconnecting");
            }
            progress.phase("postcopy-paused");
            // A redial backoff, bounded by the deadline: the link is down; only the operator's fence ends it early.
            throwIfFenced(fence.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(backoffMillis))));
            backoffMillis = Math.min(RECOVER_BACKOFF_MAX_MILLIS, backoffMillis * 2);
        }
    }

    private void throwIfFenced(OperatorFence.Request request) {
        if (request != null) {
            fenced = request;
            closeChannels(); // a connection of an attempt that failed half-way goes too
            throw new FencedException("operator fence: the destination is known dead (" + request.reason() + ")");
        }
    }

    /** The operator's fence ended the recovery: the source rolls back. */
    private static final class FencedException extends RuntimeException {
        FencedException(String message) {
            super(message);
        }
    }

    static final long RECOVER_BACKOFF_FIRST_MILLIS = 100;
    /** How long a failed send waits for its connection to say why it closed. */
    static final long CLOSE_REASON_WAIT_MILLIS = 1_000;
    static final long RECOVER_BACKOFF_MAX_MILLIS = 2_000;

    private void reconnect(int epoch, long deadline) throws InterruptedException {
        bulk = client.connect(destination, migrationId, MigrationRecord.Channel.BULK, new Sink(epoch));
        bulk.send(new MigrationRecord.Recover(epoch), replyTimeoutMillis);
        long waitMillis = Math.max(1, Math.min(replyTimeoutMillis,
                TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        MigrationRecord record = inbox.take(waitMillis, "RECOVERED");
        if (!(record instanceof MigrationRecord.Recovered recovered) || recovered.epoch() != epoch) {
            ReferenceCountUtil.release(record);
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type() + " while waiting for RECOVERED("
                    + epoch + ")");
        }
        PageBitmap received;
        try {
            received = PageBitmap.fromByteArray(recovered.receivedBitmap(), progress.guestPages());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(AbortReason.MALFORMED, "RECOVERED: " + e.getMessage());
        }
        // The old connections are settled (closed, their event loops done with them): no page is marked sent
        // on them any more, so what the destination lacks and this side marked sent was lost in flight. This
        // happens before the urgent connection opens: no request may be served while the set changes.
        PageBitmap unsent = sent.unmarkLost(received);
        if (restartedBeforeRecovery) {
            // Not lost by this process: it never sent them. The dead one may have lost some in flight; no one knows.
            restartedBeforeRecovery = false;
            pagesOwedAtRestart = unsent.cardinality();
            reconnectedAtMillis = System.currentTimeMillis();
        } else {
            encoder.markLost(unsent);
        }
        progress.remainingPages(progress.guestPages() - sent.sentCount());
        if (config.urgentChannel()) {
            urgent = client.connect(destination, migrationId, MigrationRecord.Channel.URGENT, new Sink(epoch));
            urgent.send(new MigrationRecord.Recover(epoch), replyTimeoutMillis);
        }
    }

    private void push() throws InterruptedException {
        PostcopyPush push = new PostcopyPush(sent, pages, progress, this::throwIfPeerFailed, steps);
        try (PageSender sender = sender(true)) {
            PrepageStrategy strategy = config.loaded().prepageStrategy(PrepageStrategies.create(config.prepage(),
                    config.forwardOnly() ? Direction.FORWARD : Direction.DUAL), config.prepage());
            prepageInUse = strategy;
            push.run(strategy, "push".equals(config.prepage()) ? SendReason.PUSH : SendReason.PREPAGE, sender);
        }
        bulk.send(new MigrationRecord.PagesDone(sent.sentCount()), replyTimeoutMillis);
    }

    private void throwIfPeerFailed() {
        Throwable failure = inbox.failure();
        if (failure != null) {
            throw failure instanceof RuntimeException r ? r
                    : new ProtocolException(AbortReason.CONNECTION_LOST, failure.toString());
        }
    }

    // ---- completion

    private FaultStats lastFaultStats;
    private FaultLatencyBreakdown lastFaultBreakdown;
    private volatile StopPolicy stopPolicyInUse;
    private volatile PrepageStrategy prepageInUse;

    private MigrationRecord.Complete awaitComplete() throws InterruptedException {
        while (true) {
            MigrationRecord record = inbox.take(replyTimeoutMillis, "COMPLETE");
            if (record instanceof MigrationRecord.FaultStages stages) {
                lastFaultBreakdown = FaultLatencyBreakdown.of(stages.sampled(), stageNanos(stages, 50),
                        stageNanos(stages, 99));
                continue;
            }
            if (record instanceof MigrationRecord.DestinationStats stats) {
                lastFaultStats = new FaultStats(stats.networkFaults(), stats.minorFaults(), stats.requests(),
                        stats.latencyP50Nanos() / 1000.0, stats.latencyP90Nanos() / 1000.0,
                        stats.latencyP99Nanos() / 1000.0, stats.latencyMaxNanos() / 1000.0);
                continue;
            }
            if (record instanceof MigrationRecord.Complete complete) {
                return complete;
            }
            ReferenceCountUtil.release(record);
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type() + " while waiting for COMPLETE");
        }
    }

    /** The destination's fault stages beside this source's serving, at the 50th or the 99th percentile. */
    private FaultLatencyBreakdown.Nanos stageNanos(MigrationRecord.FaultStages stages, int percentile) {
        java.util.function.ToLongFunction<MigrationRecord.FaultStages.Stage> at = percentile == 50
                ? MigrationRecord.FaultStages.Stage::p50Nanos : MigrationRecord.FaultStages.Stage::p99Nanos;
        return new FaultLatencyBreakdown.Nanos(at.applyAsLong(stages.request()), at.applyAsLong(stages.roundTrip()),
                pages.servedNanos(percentile), at.applyAsLong(stages.install()), at.applyAsLong(stages.resume()));
    }

    private <T extends MigrationRecord> T awaitRecord(Class<T> type, String name) throws InterruptedException {
        MigrationRecord record = inbox.take(replyTimeoutMillis, name);
        if (!type.isInstance(record)) {
            ReferenceCountUtil.release(record);
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type() + " while waiting for " + name);
        }
        return type.cast(record);
    }

    // ---- failure

    private void abortPeer(Throwable cause) {
        AbortReason reason = cause instanceof ProtocolException p ? p.reason() : AbortReason.CANCELLED;
        String message = cause instanceof ProtocolException p ? p.detail()
                : cause.getMessage() == null ? cause.toString() : cause.getMessage();
        if (bulk != null) {
            bulk.abort(new Abort(reason, message));
        }
        if (urgent != null) {
            urgent.abort(new Abort(reason, message));
        }
    }

    /**
     * The destination proved it lost the guest: journals the hand-back durably, then resumes the frozen copy,
     * which is the guest as of the switch-over (post-copy only reads it). False when the journal could not
     * record it: the copy then stays paused, as after any failure past RESUMED.
     */
    private boolean rollBack(String why) {
        try {
            journal.record(migrationId, Phase.ROLLED_BACK, Owner.SOURCE);
        } catch (RuntimeException e) {
            return false;
        }
        giveGuestBack();
        long resumedNanos = System.nanoTime();
        long resumedAtMillis = System.currentTimeMillis();
        ownershipPassed = false;
        progress.phase("rolled-back");
        rollback = new MigrationReport.Rollback("switch-over",
                linkLostNanos == 0 ? -1 : (resumedNanos - linkLostNanos) / 1e6, resumedAtMillis,
                sent.sentCount() - sentAtSwitchOver, why, -1);
        return true;
    }

    /**
     * A restarted source's rollback: its guest is only the stored copy, so {@code runHere} builds a runnable
     * one from the checkpoint, after the hand-back is durable (a later restart then refuses to serve it). False
     * when the journal could not record it or the guest could not be started: the state directory keeps it.
     */
    private boolean rollBackFromCheckpoint(String why, Runnable runHere) {
        try {
            journal.record(migrationId, Phase.ROLLED_BACK, Owner.SOURCE);
        } catch (RuntimeException e) {
            return false;
        }
        try {
            runHere.run();
        } catch (RuntimeException e) {
            journal.recordBestEffort(migrationId, Phase.FAILED, Owner.SOURCE);
            return false;
        }
        long resumedNanos = System.nanoTime();
        ownershipPassed = false;
        progress.phase("rolled-back");
        // What the dead process sent after the switch-over is not known here: -1.
        rollback = new MigrationReport.Rollback("switch-over",
                linkLostNanos == 0 ? -1 : (resumedNanos - linkLostNanos) / 1e6, System.currentTimeMillis(), -1, why, -1);
        return true;
    }

    /** The destination never resumed: the guest runs on here, unchanged, no longer logged or throttled. */
    private void giveGuestBack() {
        try {
            guest.resume().get(replyTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // The guest stays held; report it through the migration error rather than hide it.
            throw new IllegalStateException("could not resume the source guest after a failed migration", e);
        }
    }

    /**
     * Closes both connections and waits until writes still queued on them have settled: after a failure the
     * caller frees the guest's RAM, which post-copy pages are written from without a copy, and a write that
     * ran after that would read freed memory.
     */
    private void closeChannels() {
        if (bulk != null) {
            bulk.closeAndSettle(replyTimeoutMillis);
            bytesOfEarlierEpochs += bulk.bytesWritten();
            bulk = null;
        }
        if (urgent != null) {
            urgent.closeAndSettle(replyTimeoutMillis);
            bytesOfEarlierEpochs += urgent.bytesWritten();
            urgent = null;
        }
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    // ---- statistics

    /** Whether the guest had halted before the switch-over pause (then nothing live moved). */
    private boolean guestEndedBeforeSwitchOver;

    /** The balloon as the switch-over pause saw it; null before. */
    private BalloonSummary balloonAtSwitchOver;

    private BalloonSummary balloonSummary() {
        // Before the pause (a failed migration) the statistics are read live: they may be one hypercall old.
        BalloonSummary balloon = balloonAtSwitchOver != null ? balloonAtSwitchOver
                : BalloonSummary.of(guest.config(), guest.balloon().map(b -> b.figures())
                .orElse(org.migrationlab.emulator.port.BalloonControl.BalloonFigures.NONE));
        return balloon.withSavedPages(progress.balloonedSkips());
    }

    private PageSender sender(boolean frozen) {
        return new PageSender(encoder, bulk, compression(), frozen, replyTimeoutMillis, this::throwIfPeerFailed);
    }

    private long bytesWritten() {
        return bytesOfEarlierEpochs + (bulk == null ? 0 : bulk.bytesWritten())
                + (urgent == null ? 0 : urgent.bytesWritten());
    }

    private static double rate(long unitsFrom, long unitsTo, long fromNanos, long toNanos) {
        long nanos = toNanos - fromNanos;
        return nanos <= 0 ? Double.NaN : (unitsTo - unitsFrom) / (nanos / 1e9);
    }

    /** When each phase ended (System.nanoTime), and bytes written at the switch-over points. */
    private static final class Timeline {
        final long start = System.nanoTime();
        long setupDone;
        long freezeRequested;
        /** The vCPU stopped: the downtime starts here. */
        long stopped;
        /** The frozen guest back on this thread. */
        long paused;
        long resumed;
        MigrationRecord.Resumed destination;
        long completed;
        long bytesAtPause;
        long bytesAtResume;
    }

    /** Null when the guest never resumed at the destination. */
    private DowntimeBreakdown downtimeBreakdown(Timeline time) {
        if (time.resumed == 0 || time.destination == null) {
            return null; // the guest never resumed there, or its RESUMED was lost with the link
        }
        // The SWITCH_OVER's write completed on the bulk event loop before that loop read the RESUMED.
        long written = switchOverWrittenNanos;
        long sent = written == 0 ? time.resumed : Math.min(written, time.resumed);
        MigrationRecord.Resumed destination = time.destination;
        return DowntimeBreakdown.of(time.freezeRequested, time.stopped, time.paused, sent, time.resumed,
                destination.receiveNanos(), destination.restoreNanos(), destination.resumeNanos(), durableWriteNanos);
    }

    /**
     * The switch reason of a mode whose rounds do not decide it (or before they did): post-copy and hybrid
     * report their mode's label, as before; stop-and-copy says it never copied live.
     */
    private static String switchReasonWithoutRounds(MigrationMode mode) {
        return switch (mode) {
            case PRECOPY -> "";
            case POSTCOPY, HYBRID -> mode.label();
            case STOP_AND_COPY -> "stop-and-copy: no live round";
        };
    }

    /** Whether the stop policy ends the rounds: hybrid stops after round 0 whatever it would say. */
    private static boolean stopPolicyDecides(MigrationMode mode) {
        return mode.hasLiveRounds() && !mode.hasPostcopyPhase();
    }

    /** The named policy, or the loaded one's label with its fallback, if any: the report says which decided. */
    private String stopPolicyLabel() {
        return stopPolicyInUse instanceof GuardedStopPolicy guarded ? guarded.describe() : config.stopPolicy();
    }

    private String prepageLabel() {
        if (prepageInUse instanceof GuardedPrepage guarded) {
            return guarded.describe();
        }
        return config.loaded().prepage().map(LoadedPolicy::label).orElse(config.prepage())
                + (config.forwardOnly() ? " (forward)" : "");
    }

    private MigrationReport report(String status, String error, String switchReason, long expectedDowntimeNanos,
                                   Timeline time, FaultStats faults, double duringRate) {
        long end = time.completed != 0 ? time.completed : System.nanoTime();
        long transferred = bytesWritten();
        double totalMs = (end - time.start) / 1e6;
        long precopyBytes = time.paused == 0 ? transferred : time.bytesAtPause;
        long downtimeBytes = time.resumed == 0 ? 0 : time.bytesAtResume - time.bytesAtPause;
        long postcopyBytes = time.resumed == 0 ? 0 : transferred - time.bytesAtResume;
        long ramBytes = guest.config().ramBytes();
        return new MigrationReport(status, error,
                new MigrationReport.Scheme(config.mode().label(),
                        config.mode().hasPostcopyPhase() ? prepageLabel() : "n/a",
                        stopPolicyDecides(config.mode()) ? stopPolicyLabel() : "n/a", switchReason,
                        guestEndedBeforeSwitchOver),
                new MigrationReport.Timing(totalMs,
                        time.setupDone == 0 ? totalMs : (time.setupDone - time.start) / 1e6,
                        time.resumed == 0 ? 0 : (time.resumed - time.stopped) / 1e6,
                        expectedDowntimeNanos < 0 ? -1 : expectedDowntimeNanos / 1e6, downtimeBreakdown(time)),
                new MigrationReport.Transfer(transferred, progress.remainingPages() * GuestMemory.PAGE_SIZE, ramBytes,
                        progress.zeroPages(), progress.normalPages(), progress.normalBytes()),
                new MigrationReport.Convergence(progress.dirtyPagesRate(),
                        totalMs <= 0 ? 0 : transferred * 8 / (totalMs / 1e3) / 1e6, progress.rounds(),
                        progress.cpuThrottlePercent(), progress.dirtyLogFaults(),
                        progress.roundFigures().stream().map(MigrationReport.PrecopyRound::of).toList()),
                new MigrationReport.Phases(progress.postcopyRequests(), precopyBytes, downtimeBytes, postcopyBytes),
                new MigrationReport.Pages(progress.pagesByKind(), progress.resentPages(), progress.guestPages()),
                new MigrationReport.Recovery(progress.recoveries(), progress.recoveryNanos() / 1e6,
                        progress.lostPagesResent(), rollback, restart()),
                MigrationReport.Faults.of(faults, -1, lastFaultBreakdown),
                new MigrationReport.ProgressRates(Double.NaN, duringRate, Double.NaN), balloonSummary(), "not-checked");
    }
}
