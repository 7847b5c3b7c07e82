package org.migrationlab.migration.session;

import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.util.ReferenceCountUtil;
import org.migrationlab.emulator.cpu.CpuStateCodec;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.VcpuRunner;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageBitmap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.migration.postcopy.PrepageStrategies;
import org.migrationlab.migration.postcopy.PrepageStrategy;
import org.migrationlab.migration.postcopy.SentPages;
import org.migrationlab.migration.precopy.StopPolicies;
import org.migrationlab.migration.precopy.StopPolicy;
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
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.PeerChannel;
import org.migrationlab.migration.transport.RecordSink;
import org.migrationlab.migration.transport.TransportClosedException;

/**
 * Moves one running guest to a destination (PROTOCOL §1): pre-copy rounds, the switch-over pause, then
 * post-copy serving for the pages still to come, until the destination confirms every page. Runs on
 * the calling thread ({@code migration-source}); talks to the vCPU only through its {@link VcpuRunner}.
 *
 * <p>The source never loses a guest it still owns (PROTOCOL §5.1): any failure before the destination
 * reported RESUMED lets the guest run on here; the guest is released only after COMPLETE.
 */
public final class SourceSession {
    private static final long PUSH_IDLE_MILLIS = 200;

    private final Machine machine;
    private final VcpuRunner runner;
    private final MigrationConfig config;
    private final MigrationClient client;
    private final InetSocketAddress destination;
    private final MigrationProgress progress;
    private final Inbox inbox = new Inbox(256);
    private final SentPages everSent;
    private final SentPages sent;
    private final PageServer pages;
    private final long replyTimeoutMillis;
    private PeerChannel bulk;
    private PeerChannel urgent;
    private boolean ownershipPassed;
    /** Set (session thread) just before SWITCH_OVER goes out; read by the event loops' sink. */
    private volatile boolean switchOverSent;

    public SourceSession(Machine machine, VcpuRunner runner, MigrationConfig config, MigrationClient client,
                         InetSocketAddress destination, long replyTimeoutMillis) {
        this.machine = machine;
        this.runner = runner;
        this.config = config;
        this.client = client;
        this.destination = destination;
        this.replyTimeoutMillis = replyTimeoutMillis;
        long guestPages = machine.memory().pageCount();
        this.progress = new MigrationProgress(guestPages);
        this.everSent = new SentPages(guestPages);
        this.sent = new SentPages(guestPages);
        this.pages = new PageServer(machine.memory(), sent, everSent, progress, compression());
    }

    /** Live statistics, for progress lines from another thread. */
    public MigrationProgress progress() {
        return progress;
    }

    private PageCodec.Compression compression() {
        return config.compress() ? PageCodec.Compression.DEFLATE : PageCodec.Compression.NONE;
    }

    /**
     * Migrates. On success the source's guest has been released (the runner is closed; the caller still
     * closes the machine). On failure before the switch-over the guest keeps running here.
     */
    public MigrationReport migrate() throws InterruptedException {
        Timeline time = new Timeline();
        StopPolicy policy = StopPolicies.create(config.stopPolicy(),
                TimeUnit.MILLISECONDS.toNanos(config.downtimeTargetMillis()));
        String switchReason = config.mode() == MigrationMode.PRECOPY ? "" : config.mode().name().toLowerCase();
        long expectedDowntimeNanos = -1;
        FaultStats faults = FaultStats.NONE;
        long progressAtStart = machine.counters().value(0);
        long progressAtPause = progressAtStart;
        try {
            if (machine.isFinished()) {
                throw new IllegalStateException("the guest has already exited; there is nothing to migrate");
            }
            connect();
            time.setupDone = System.nanoTime();
            progress.phase("config");
            bulk.send(new MigrationRecord.GuestConfig(machine.config().ramBytes(), machine.config().bootArgs().seed(),
                    config.mode(), machine.config().bootArgs().workload(), machine.config().bootArgs().args()),
                    replyTimeoutMillis);
            FrozenGuest frozen;
            if (config.mode() == MigrationMode.POSTCOPY) {
                frozen = freeze(false);
            } else {
                StopPolicy.Decision.SwitchOver decision = precopyRounds(policy, time);
                switchReason = decision.reason();
                expectedDowntimeNanos = decision.expectedDowntimeNanos();
                frozen = freeze(true);
            }
            time.paused = System.nanoTime();
            progressAtPause = frozen.progressUnits();
            time.bytesAtPause = bytesWritten();
            PageBitmap pending = switchOver(frozen);
            MigrationRecord resumed = awaitRecord(MigrationRecord.Resumed.class, "RESUMED");
            ReferenceCountUtil.release(resumed);
            time.resumed = System.nanoTime();
            time.bytesAtResume = bytesWritten();
            ownershipPassed = true;
            if (!pending.isEmpty()) {
                progress.phase("postcopy");
                push(pending);
            }
            progress.phase("completing");
            MigrationRecord.Complete complete = awaitComplete();
            faults = lastFaultStats != null ? lastFaultStats : FaultStats.NONE;
            time.completed = System.nanoTime();
            progress.remainingPages(0);
            progress.phase("completed");
            runner.close(); // release: the guest lives on at the destination
            return report("completed", null, switchReason, expectedDowntimeNanos, time, faults,
                    rate(progressAtStart, progressAtPause, time.start, time.paused));
        } catch (RuntimeException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof TransportClosedException && inbox.failure() != null) {
                // A send that found the channel closed says less than why it closed (an ABORT, bad input).
                cause = inbox.failure();
            }
            String error = describe(cause);
            abortPeer(cause);
            if (!ownershipPassed) {
                giveGuestBack();
                progress.phase("failed");
                return report("failed", error + " (the guest keeps running on the source)", switchReason,
                        expectedDowntimeNanos, time, faults, rate(progressAtStart, progressAtPause, time.start,
                                time.paused == 0 ? System.nanoTime() : time.paused));
            }
            progress.phase("failed");
            return report("failed", error + " (after the switch-over: the destination runs the guest; the source "
                    + "keeps its paused copy)", switchReason, expectedDowntimeNanos, time, faults,
                    MigrationReport.ProgressRates.UNKNOWN.before());
        } finally {
            inbox.drain();
            closeChannels();
        }
    }

    // ---- connection

    private void connect() throws InterruptedException {
        progress.phase("connecting");
        UUID id = UUID.randomUUID();
        bulk = client.connect(destination, id, MigrationRecord.Channel.BULK, new Sink());
        if (config.urgentChannel()) {
            urgent = client.connect(destination, id, MigrationRecord.Channel.URGENT, new Sink());
        }
    }

    /** Inbound records of both channels: page requests are served at once, the rest go to the inbox. */
    private final class Sink implements RecordSink {
        @Override
        public void authenticated(Handshake handshake, PeerChannel channel) {
        }

        @Override
        public void received(MigrationRecord record, PeerChannel channel) {
            switch (record) {
                case PageRequest request -> pages.serve(request, channel);
                case MigrationRecord.Resumed r -> {
                    if (!switchOverSent) {
                        throw unexpected(r); // it answers no SWITCH_OVER: the guest is still ours
                    }
                    inbox.offer(r);
                }
                case MigrationRecord.Complete c -> inbox.offer(c);
                case MigrationRecord.DestinationStats s -> inbox.offer(s);
                case MigrationRecord.ProgressHint hint -> {
                    // for humans watching the destination; nothing to do here
                }
                case MigrationRecord.Hello h -> throw unexpected(h);
                case MigrationRecord.Auth a -> throw unexpected(a);
                case MigrationRecord.GuestConfig g -> throw unexpected(g);
                case MigrationRecord.PageBatch b -> {
                    b.release();
                    throw unexpected(b);
                }
                case MigrationRecord.RoundEnd r -> throw unexpected(r);
                case MigrationRecord.CpuStateRecord c -> throw unexpected(c);
                case MigrationRecord.DeviceStateRecord d -> throw unexpected(d);
                case MigrationRecord.SwitchOver s -> throw unexpected(s);
                case MigrationRecord.BalloonMap b -> throw unexpected(b);
                case MigrationRecord.PagesDone p -> throw unexpected(p);
                case Abort a -> inbox.fail(new ProtocolException(a.reason(), "the destination aborted: " + a.message()));
            }
        }

        @Override
        public void failed(PeerChannel channel, Throwable cause) {
            inbox.fail(cause);
        }

        @Override
        public void closed(PeerChannel channel) {
            inbox.fail(new TransportClosedException(
                    "the destination closed the " + channel.kind() + " connection"));
        }
    }

    private static ProtocolException unexpected(MigrationRecord record) {
        return new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type() + " from the destination");
    }

    // ---- pre-copy

    private StopPolicy.Decision.SwitchOver precopyRounds(StopPolicy policy, Timeline time)
            throws InterruptedException, ExecutionException {
        runner.atPause(m -> {
            m.memory().dirtyLog().start(config.dirtyLog());
            return null;
        }, VcpuRunner.Then.RESUME).get();
        PageBitmap toSend = new PageBitmap(progress.guestPages());
        toSend.setRange(0, progress.guestPages());
        long totalSent = 0;
        try (PageSender sender = sender(false)) {
            for (int round = 0; ; round++) {
                progress.phase("precopy round " + round);
                long roundStart = System.nanoTime();
                long bytesBefore = bytesWritten();
                long sentInRound = sendAll(sender, toSend, SendReason.PRECOPY_ROUND, round);
                sender.flush();
                totalSent += sentInRound;
                PageBitmap dirty = runner.atPause(m -> m.memory().dirtyLog().harvest(), VcpuRunner.Then.RESUME).get();
                long roundNanos = Math.max(1, System.nanoTime() - roundStart);
                long dirtyPages = dirty.cardinality();
                bulk.send(new MigrationRecord.RoundEnd(round, dirtyPages), replyTimeoutMillis);
                double seconds = roundNanos / 1e9;
                double bytesPerSecond = (bytesWritten() - bytesBefore) / seconds;
                progress.dirtyPagesRate(dirtyPages / seconds);
                progress.roundsDone(round + 1);
                progress.remainingPages(dirtyPages);
                StopPolicy.Decision decision = config.mode() == MigrationMode.HYBRID
                        ? new StopPolicy.Decision.SwitchOver("hybrid: one pre-copy round", -1)
                        : policy.afterRound(new StopPolicy.RoundReport(round, dirtyPages, sentInRound, totalSent,
                        progress.guestPages(), roundNanos, bytesPerSecond, dirtyPages / seconds));
                switch (decision) {
                    case StopPolicy.Decision.SwitchOver switchOver -> {
                        pendingDirty = dirty;
                        return switchOver;
                    }
                    case StopPolicy.Decision.KeepCopying keep -> toSend = dirty;
                }
            }
        }
    }

    /** Dirty pages of the last pre-copy round, not yet sent (merged into the final dirty set). */
    private PageBitmap pendingDirty;

    /**
     * Sends every page of {@code set} except ballooned ones (PROTOCOL §5.5). While the guest runs, the
     * state read may be stale: a page ballooned after the read is sent once more (the destination
     * balloons it at the switch-over), a page deflated after it is logged dirty by the deflation and
     * sent in the next round.
     */
    private long sendAll(PageSender sender, PageBitmap set, SendReason reason, int round) throws InterruptedException {
        MemoryMap memory = machine.memory();
        long count = 0;
        long skipped = 0;
        for (long page = set.nextSetBit(0); page >= 0; page = set.nextSetBit(page + 1)) {
            if (memory.state(page) == PageState.BALLOONED) {
                skipped++;
                continue;
            }
            sender.add(page, reason, round);
            count++;
        }
        progress.balloonedSkipped(skipped);
        return count;
    }

    // ---- switch-over

    /** Pauses the guest for good (held), capturing the last dirty pages when logging ran. */
    private FrozenGuest freeze(boolean logging) throws InterruptedException, ExecutionException {
        progress.phase("switch-over");
        FrozenGuest frozen = runner.atPause(m -> {
            PageBitmap dirty = new PageBitmap(m.memory().pageCount());
            if (logging) {
                m.memory().dirtyLog().harvestInto(dirty);
                m.memory().dirtyLog().stop();
            }
            return new FrozenGuest(dirty, m.memory().pagesIn(PageState.BALLOONED), CpuStateCodec.encode(m.saveCpu()),
                    m.saveDevices(), m.counters().value(0), GuestMachines.balloonSummary(m, 0));
        }, VcpuRunner.Then.HOLD).get();
        if (pendingDirty != null) {
            frozen.dirty().or(pendingDirty);
        }
        balloonAtSwitchOver = frozen.balloon();
        return frozen;
    }

    /**
     * Sends what the destination needs to resume; returns the pages still to come (post-copy). Ballooned
     * pages are neither sent nor pending: BALLOON_MAP tells the destination to start them ballooned.
     */
    private PageBitmap switchOver(FrozenGuest frozen) throws InterruptedException {
        long guestPages = progress.guestPages();
        PageBitmap ballooned = frozen.ballooned();
        PageBitmap pending = new PageBitmap(guestPages);
        switch (config.mode()) {
            case PRECOPY -> {
                try (PageSender sender = sender(true)) {
                    sendAll(sender, frozen.dirty(), SendReason.STOP_AND_COPY, 0);
                    sender.flush();
                }
            }
            case POSTCOPY -> pending.setRange(0, guestPages);
            case HYBRID -> pending.or(frozen.dirty());
        }
        long pendingBefore = pending.cardinality();
        pending.andNot(ballooned);
        progress.balloonedSkipped(pendingBefore - pending.cardinality());
        // Pages not pending are at the destination (or ballooned): post-copy serves only the rest.
        for (long from = pending.nextClearBit(0); from >= 0; ) {
            long to = pending.nextSetBit(from);
            sent.markSentRange(from, to < 0 ? guestPages : to);
            from = to < 0 ? -1 : pending.nextClearBit(to);
        }
        progress.remainingPages(pending.cardinality());
        bulk.send(new MigrationRecord.CpuStateRecord(frozen.cpuState()), replyTimeoutMillis);
        bulk.send(new MigrationRecord.DeviceStateRecord(frozen.deviceState()), replyTimeoutMillis);
        bulk.send(new MigrationRecord.BalloonMap(ballooned.cardinality(), ballooned.toByteArray()), replyTimeoutMillis);
        pages.activate();
        switchOverSent = true;
        bulk.send(new MigrationRecord.SwitchOver(config.mode(), pending.cardinality(), pending.toByteArray()),
                replyTimeoutMillis);
        progress.phase("awaiting resume");
        return pending;
    }

    // ---- post-copy push

    private void push(PageBitmap pending) throws InterruptedException {
        PrepageStrategy strategy = PrepageStrategies.create(config.prepage(),
                config.forwardOnly() ? org.migrationlab.migration.postcopy.Direction.FORWARD
                        : org.migrationlab.migration.postcopy.Direction.DUAL);
        SendReason strategyReason = "push".equals(config.prepage()) ? SendReason.PUSH : SendReason.PREPAGE;
        long sweep = 0;
        long lastFaultNanos = System.nanoTime();
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(PUSH_IDLE_MILLIS);
        try (PageSender sender = sender(true)) {
            while (!sent.allSent()) {
                Long fault;
                while ((fault = pages.faults().poll()) != null) {
                    strategy.onFault(fault);
                    lastFaultNanos = System.nanoTime();
                }
                long page = strategy.next(sent);
                SendReason reason = strategyReason;
                if (page == PrepageStrategy.NO_PAGE) {
                    long quiet = System.nanoTime() - lastFaultNanos;
                    if (!strategy.sweepsWhenIdle() && quiet < idleNanos) {
                        // Demand only: sweep the rest only once the guest stopped faulting for a while.
                        sender.flush();
                        fault = pages.faults().poll(idleNanos - quiet, TimeUnit.NANOSECONDS);
                        if (fault != null) {
                            strategy.onFault(fault);
                            lastFaultNanos = System.nanoTime();
                        }
                        continue;
                    }
                    page = sent.nextUnsent(sweep);
                    reason = SendReason.PUSH;
                    if (page < 0) {
                        page = sent.nextUnsent(0);
                    }
                    if (page < 0) {
                        break;
                    }
                    sweep = page + 1;
                }
                if (!sent.markSent(page)) {
                    continue;
                }
                sender.add(page, reason, 0);
                progress.remainingPages(progress.guestPages() - sent.sentCount());
                if (!pages.faults().isEmpty()) {
                    sender.flush(); // a new pivot: what was batched around the old one goes out first
                }
                if (inbox.failure() != null) {
                    throw inbox.failure() instanceof RuntimeException r ? r
                            : new ProtocolException(AbortReason.CONNECTION_LOST, inbox.failure().toString());
                }
            }
            sender.flush();
        }
        bulk.send(new MigrationRecord.PagesDone(sent.sentCount()), replyTimeoutMillis);
    }

    // ---- completion

    private FaultStats lastFaultStats;

    private MigrationRecord.Complete awaitComplete() throws InterruptedException {
        while (true) {
            MigrationRecord record = inbox.take(replyTimeoutMillis, "COMPLETE");
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
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        if (bulk != null) {
            bulk.abort(new Abort(reason, message));
        }
        if (urgent != null) {
            urgent.abort(new Abort(reason, message));
        }
    }

    /** The destination never resumed: the guest runs on here, unchanged and no longer logged. */
    private void giveGuestBack() {
        try {
            runner.atPause(m -> {
                if (m.memory().dirtyLog().isActive()) {
                    m.memory().dirtyLog().stop();
                }
                return null;
            }, VcpuRunner.Then.RESUME).get(replyTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // The guest stays held; report it through the migration error rather than hide it.
            throw new IllegalStateException("could not resume the source guest after a failed migration", e);
        }
    }

    private void closeChannels() {
        if (bulk != null) {
            bulk.close();
        }
        if (urgent != null) {
            urgent.close();
        }
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    // ---- statistics

    /** The balloon as the switch-over pause saw it; null before. */
    private BalloonSummary balloonAtSwitchOver;

    private BalloonSummary balloonSummary() {
        // Before the pause (a failed migration) the statistics are read live: they may be one hypercall old.
        BalloonSummary balloon = balloonAtSwitchOver != null ? balloonAtSwitchOver
                : GuestMachines.balloonSummary(machine, 0);
        return balloon.withSavedPages(progress.balloonedSkips());
    }

    private PageSender sender(boolean frozen) {
        return new PageSender(machine.memory(), bulk, progress, everSent, compression(), frozen, replyTimeoutMillis);
    }

    private long bytesWritten() {
        return (bulk == null ? 0 : bulk.bytesWritten()) + (urgent == null ? 0 : urgent.bytesWritten());
    }

    private static double rate(long unitsFrom, long unitsTo, long fromNanos, long toNanos) {
        long nanos = toNanos - fromNanos;
        return nanos <= 0 ? Double.NaN : (unitsTo - unitsFrom) / (nanos / 1e9);
    }

    /** When each phase ended (System.nanoTime), and bytes written at the switch-over points. */
    private static final class Timeline {
        final long start = System.nanoTime();
        long setupDone;
        long paused;
        long resumed;
        long completed;
        long bytesAtPause;
        long bytesAtResume;
    }

    private MigrationReport report(String status, String error, String switchReason, long expectedDowntimeNanos,
                                   Timeline time, FaultStats faults, double duringRate) {
        long end = time.completed != 0 ? time.completed : System.nanoTime();
        long transferred = bytesWritten();
        double totalMs = (end - time.start) / 1e6;
        long precopyBytes = time.paused == 0 ? transferred : time.bytesAtPause;
        long downtimeBytes = time.resumed == 0 ? 0 : time.bytesAtResume - time.bytesAtPause;
        long postcopyBytes = time.resumed == 0 ? 0 : transferred - time.bytesAtResume;
        long ramBytes = machine.config().ramBytes();
        return new MigrationReport(status, error,
                new MigrationReport.Scheme(config.mode().name().toLowerCase(),
                        config.mode() == MigrationMode.PRECOPY ? "n/a" : config.prepage()
                                + (config.forwardOnly() ? " (forward)" : ""),
                        config.mode() == MigrationMode.PRECOPY ? config.stopPolicy() : "n/a", switchReason),
                new MigrationReport.Timing(totalMs,
                        time.setupDone == 0 ? totalMs : (time.setupDone - time.start) / 1e6,
                        time.resumed == 0 ? 0 : (time.resumed - time.paused) / 1e6,
                        expectedDowntimeNanos < 0 ? -1 : expectedDowntimeNanos / 1e6),
                new MigrationReport.Transfer(transferred, progress.remainingPages() * 4096L, ramBytes,
                        progress.zeroPages(), progress.normalPages(), progress.normalBytes()),
                new MigrationReport.Convergence(progress.dirtyPagesRate(),
                        totalMs <= 0 ? 0 : transferred * 8 / (totalMs / 1e3) / 1e6, progress.rounds()),
                new MigrationReport.Phases(progress.postcopyRequests(), precopyBytes, downtimeBytes, postcopyBytes),
                new MigrationReport.Pages(progress.pagesByKind(), progress.resentPages(), progress.guestPages()),
                MigrationReport.Faults.of(faults, -1),
                new MigrationReport.ProgressRates(Double.NaN, duringRate, Double.NaN), balloonSummary(), "not-checked");
    }
}
