package org.migrationlab.migration.postcopy;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.migrationlab.emulator.port.AbsentPageHandler;
import org.migrationlab.migration.progress.ArrivalObserver;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.transport.PeerChannel;
import org.migrationlab.migration.transport.TransportClosedException;

/**
 * Resolves the destination guest's accesses to pages still at the source (vCPU thread). A page that
 * already arrived by push or prepaging is mapped at once (a minor fault, as the paper counts them);
 * otherwise the page is requested on the request channel and the vCPU waits for it (a network fault,
 * whose latency is recorded).
 *
 * <p>While the link is down (post-copy recovery, PROTOCOL §5.6) a faulting vCPU waits without a deadline
 * of its own: the session ends the wait, by a page or by abandoning the migration at its recover timeout.
 * The page it waits for is requested again on the recovered connection.
 */
public final class PostcopyFaults implements AbsentPageHandler {
    private final IncomingPages incoming;
    private volatile PeerChannel requests;
    /** Set while the migration is paused: a missing page then waits for the recovery, however long. */
    private volatile boolean paused;
    /** The page the vCPU waits for, or -1. */
    private volatile long awaited = -1;
    private final long timeoutNanos;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final FaultStageTimes stages = new FaultStageTimes();
    /** The last request's write seen complete on its event loop: the page and when. */
    private volatile RequestWritten requestWritten;
    /** The fault whose page is being mapped, if its own request brought the page; else null. */
    private Sampled sampling;
    private long networkFaults;
    private long minorFaults;
    private long requestsSent;
    private final ArrivalObserver observer;

    public PostcopyFaults(IncomingPages incoming, PeerChannel requests, long timeoutMillis) {
        this(incoming, requests, timeoutMillis, ArrivalObserver.NONE);
    }

    /** @param observer told of every fault, for a live view of the destination's memory */
    public PostcopyFaults(IncomingPages incoming, PeerChannel requests, long timeoutMillis, ArrivalObserver observer) {
        this.incoming = incoming;
        this.requests = requests;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.observer = java.util.Objects.requireNonNull(observer, "observer");
    }

    @Override
    public Resolution onAbsentPage(long page) {
        if (!incoming.isPending(page)) {
            return new Resolution.Fail("fault on page " + page + ", which is absent but not expected from the source");
        }
        if (incoming.hasArrived(page)) {
            minorFaults++;
            observer.touched(page);
            return Resolution.MAP;
        }
        networkFaults++;
        long start = System.nanoTime();
        observer.awaiting(page);
        awaited = page; // before reading the channel: a recovery that swaps it then requests this page again
        incoming.expect(page);
        boolean requestedHere = false;
        try {
            if (incoming.markRequested(page) && !paused) {
                requestedHere = request(requests, page);
                requestsSent++;
            }
            while (!incoming.awaitArrival(page, timeoutNanos)) {
                if (incoming.abandoned()) {
                    return new Resolution.Fail("the migration failed while the guest waited for page " + page);
                }
                if (!paused) {
                    return new Resolution.Fail("page " + page + " did not arrive within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Resolution.Fail("interrupted while waiting for page " + page);
        } finally {
            awaited = -1;
        }
        long waited = System.nanoTime() - start;
        latency.recordValue(Math.min(latency.getHighestTrackableValue(), waited));
        sampling = requestedHere ? new Sampled(page, start) : null;
        observer.fetched(page, waited);
        return Resolution.MAP;
    }

    /** Completes the sampled fault's breakdown: the page is mapped and the guest resumes. */
    @Override
    public void onMapped(long page) {
        Sampled fault = sampling;
        sampling = null;
        if (fault == null || fault.page() != page) {
            return;
        }
        long mapped = System.nanoTime();
        RequestWritten written = requestWritten;
        IncomingPages.ArrivalTimes arrival = incoming.arrivalTimes(page);
        if (written != null && written.page() == page && arrival != null) {
            stages.record(fault.startNanos(), written.nanos(), arrival.readNanos(), arrival.installedNanos(), mapped);
        }
    }

    private record Sampled(long page, long startNanos) {
    }

    private record RequestWritten(long page, long nanos) {
    }

    /** The link broke: requests wait for the recovered connection, and a missing page waits with them. */
    public void pause() {
        paused = true;
    }

    /** The link is back: requests go on {@code channel}, and the page the vCPU waits for is requested again. */
    public void resume(PeerChannel channel) {
        requests = channel;
        paused = false;
        long page = awaited;
        if (page >= 0 && !incoming.hasArrived(page)) {
            request(channel, page); // at worst a second request, which the source does not answer twice
        }
    }

    /**
     * Sends a request; a connection that closed meanwhile is the link's loss, which the session turns into a
     * pause: the page is requested again on the recovered connection, so the vCPU just goes on waiting.
     */
    private boolean request(PeerChannel channel, long page) {
        try {
            channel.sendNow(new PageRequest(page)).addListener(written -> {
                if (written.isSuccess()) {
                    requestWritten = new RequestWritten(page, System.nanoTime());
                }
            });
            return true;
        } catch (TransportClosedException e) {
            // the session hears of the loss from the channel itself
            return false;
        }
    }

    /** Read on the vCPU thread (inside a pause) or once it stopped. */
    public FaultStats stats() {
        return new FaultStats(networkFaults, minorFaults, requestsSent,
                micros(latency.getValueAtPercentile(50)), micros(latency.getValueAtPercentile(90)),
                micros(latency.getValueAtPercentile(99)), micros(latency.getMaxValue()));
    }

    /** Where the sampled faults' time went, as the destination measures it; read like {@link #stats}. */
    public org.migrationlab.migration.protocol.MigrationRecord.FaultStages stages() {
        return stages.toRecord();
    }

    public long latencyNanos(double percentile) {
        return percentile >= 100 ? latency.getMaxValue() : latency.getValueAtPercentile(percentile);
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }
}
