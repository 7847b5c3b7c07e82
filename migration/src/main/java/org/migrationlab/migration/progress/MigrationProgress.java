package org.migrationlab.migration.progress;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.migrationlab.migration.protocol.SendReason;

/**
 * The live statistics of one migration on the source. Counters are written by the session thread and
 * by the urgent channel's event loop, so they are adders; phase times are written by the session
 * thread only. Read at any time for progress lines, frozen into a
 * {@link org.migrationlab.migration.report.MigrationReport} at the end.
 */
public final class MigrationProgress {
    private final long guestPages;
    private final long startNanos = System.nanoTime();
    private final Map<SendReason, LongAdder> pagesByReason = new EnumMap<>(SendReason.class);
    private final Map<Integer, LongAdder> pagesByRound = new LinkedHashMap<>();
    private final LongAdder zeroPages = new LongAdder();
    private final LongAdder normalPages = new LongAdder();
    private final LongAdder normalBytes = new LongAdder();
    private final LongAdder resentPages = new LongAdder();
    private final LongAdder postcopyRequests = new LongAdder();
    private final LongAdder requestsForSentPages = new LongAdder();
    private final LongAdder balloonedSkips = new LongAdder();
    private final LongAdder lostPagesResent = new LongAdder();
    private final AtomicLong recoveries = new AtomicLong();
    private final AtomicLong recoveryNanos = new AtomicLong();
    private final AtomicLong sentOnce = new AtomicLong();
    private volatile String phase = "setup";
    private volatile java.util.function.BiConsumer<String, String> phaseChanges = (from, to) -> { };
    private volatile long remainingPages;
    private volatile double dirtyPagesRate;
    private volatile int rounds;
    private volatile int cpuThrottlePercent;
    private volatile long dirtyLogFaults;
    private final List<RoundFigures> roundFigures = new ArrayList<>(); // guarded by itself
    private volatile PageObserver pageObserver = PageObserver.NONE;
    private volatile Supplier<ChannelBytes> channelBytes = () -> ChannelBytes.NONE;

    public MigrationProgress(long guestPages) {
        this.guestPages = guestPages;
        this.remainingPages = guestPages;
        for (SendReason reason : SendReason.values()) {
            pagesByReason.put(reason, new LongAdder());
        }
    }

    public long guestPages() {
        return guestPages;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Who is told of each page's fate; set before the migration starts (none by default). */
    public void observePages(PageObserver observer) {
        this.pageObserver = java.util.Objects.requireNonNull(observer, "observer");
    }

    public PageObserver pageObserver() {
        return pageObserver;
    }

    /** How the session reads its channels' byte counts (it owns the channels; progress only asks). */
    public void channelBytes(Supplier<ChannelBytes> source) {
        this.channelBytes = java.util.Objects.requireNonNull(source, "source");
    }

    /** Bytes written so far on each channel of the current connection. */
    public ChannelBytes channelBytes() {
        return channelBytes.get();
    }

    public String phase() {
        return phase;
    }

    public void phase(String name) {
        String was = this.phase;
        this.phase = name;
        if (!name.equals(was)) {
            phaseChanges.accept(was, name);
        }
    }

    /** Told of each change of phase as it happens (from, to), on the session's thread; nothing by default. */
    public void onPhaseChange(java.util.function.BiConsumer<String, String> listener) {
        this.phaseChanges = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** One page handed to a channel, encoded as a zero record or with {@code dataBytes} of data. */
    public void pageSent(SendReason reason, int round, boolean zero, int dataBytes, boolean resent) {
        pageSent(reason, round, zero, dataBytes, resent, false);
    }

    /**
     * As above; {@code lostBefore}: the page's earlier copy was lost with a broken post-copy connection, so
     * this send is counted apart, neither as a resend nor as a new distinct page.
     */
    public void pageSent(SendReason reason, int round, boolean zero, int dataBytes, boolean resent, boolean lostBefore) {
        pagesByReason.get(reason).increment();
        if (reason == SendReason.PRECOPY_ROUND) {
            synchronized (pagesByRound) {
                pagesByRound.computeIfAbsent(round, r -> new LongAdder()).increment();
            }
        }
        if (zero) {
            zeroPages.increment();
        } else {
            normalPages.increment();
            normalBytes.add(dataBytes);
        }
        if (lostBefore) {
            lostPagesResent.increment();
        } else if (resent) {
            resentPages.increment();
        } else {
            sentOnce.incrementAndGet();
        }
    }

    public long lostPagesResent() {
        return lostPagesResent.sum();
    }

    /** A post-copy recovery ended, {@code nanos} after the link was found broken. */
    public void recovered(long nanos) {
        recoveries.incrementAndGet();
        recoveryNanos.addAndGet(nanos);
    }

    public long recoveries() {
        return recoveries.get();
    }

    /** Time spent in postcopy-paused and recovering, over every recovery. */
    public long recoveryNanos() {
        return recoveryNanos.get();
    }

    /** {@code pages} page sends skipped because those pages were ballooned (DSB's saving). */
    public void balloonedSkipped(long pages) {
        balloonedSkips.add(pages);
    }

    public long balloonedSkips() {
        return balloonedSkips.sum();
    }

    public void postcopyRequest(boolean alreadySent) {
        postcopyRequests.increment();
        if (alreadySent) {
            requestsForSentPages.increment();
        }
    }

    public void remainingPages(long pages) {
        this.remainingPages = pages;
    }

    public long remainingPages() {
        return remainingPages;
    }

    public void dirtyPagesRate(double pagesPerSecond) {
        this.dirtyPagesRate = pagesPerSecond;
    }

    public double dirtyPagesRate() {
        return dirtyPagesRate;
    }

    public void roundsDone(int count) {
        this.rounds = count;
    }

    /** The vCPU throttle auto-converge asked for, in percent (QEMU's cpu-throttle-percentage). */
    public void cpuThrottlePercent(int percent) {
        cpuThrottlePercent = percent;
    }

    public int cpuThrottlePercent() {
        return cpuThrottlePercent;
    }

    public int rounds() {
        return rounds;
    }

    /** One pre-copy round ended (session thread). */
    public void roundEnded(RoundFigures figures) {
        synchronized (roundFigures) {
            roundFigures.add(figures);
        }
    }

    /** Every pre-copy round so far, in order. */
    public List<RoundFigures> roundFigures() {
        synchronized (roundFigures) {
            return List.copyOf(roundFigures);
        }
    }

    /** The write-protect faults dirty logging cost the guest, as its freeze counted them. */
    public void dirtyLogFaults(long faults) {
        dirtyLogFaults = faults;
    }

    public long dirtyLogFaults() {
        return dirtyLogFaults;
    }

    public long pagesSent(SendReason reason) {
        return pagesByReason.get(reason).sum();
    }

    public long totalPagesSent() {
        long n = 0;
        for (LongAdder adder : pagesByReason.values()) {
            n += adder.sum();
        }
        return n;
    }

    /** Distinct pages sent at least once. */
    public long distinctPagesSent() {
        return sentOnce.get();
    }

    public long zeroPages() {
        return zeroPages.sum();
    }

    public long normalPages() {
        return normalPages.sum();
    }

    public long normalBytes() {
        return normalBytes.sum();
    }

    public long resentPages() {
        return resentPages.sum();
    }

    public long postcopyRequests() {
        return postcopyRequests.sum();
    }

    public long requestsForSentPages() {
        return requestsForSentPages.sum();
    }

    /** Pages by kind with QEMU-like names: precopy-round-N, stop-and-copy, push, prepage, demand. */
    public Map<String, Long> pagesByKind() {
        Map<String, Long> out = new LinkedHashMap<>();
        synchronized (pagesByRound) {
            pagesByRound.forEach((round, adder) -> out.put("precopy-round-" + round, adder.sum()));
        }
        out.put("stop-and-copy", pagesSent(SendReason.STOP_AND_COPY));
        out.put("push", pagesSent(SendReason.PUSH));
        out.put("prepage", pagesSent(SendReason.PREPAGE));
        out.put("demand", pagesSent(SendReason.DEMAND));
        return out;
    }
}
