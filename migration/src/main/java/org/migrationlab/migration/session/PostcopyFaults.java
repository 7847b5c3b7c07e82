package org.migrationlab.migration.session;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.machine.FaultHandler;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.transport.PeerChannel;

/**
 * Resolves the destination guest's faults on pages still at the source (vCPU thread). A page that
 * already arrived by push or prepaging is installed at once (a minor fault, as the paper counts them);
 * otherwise the page is requested on the request channel and the vCPU waits for it (a network fault,
 * whose latency is recorded).
 */
final class PostcopyFaults implements FaultHandler {
    private final IncomingPages incoming;
    private final PeerChannel requests;
    private final long timeoutNanos;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private long networkFaults;
    private long minorFaults;
    private long requestsSent;
    private volatile String failure;

    PostcopyFaults(IncomingPages incoming, PeerChannel requests, long timeoutMillis) {
        this.incoming = incoming;
        this.requests = requests;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public Resolution onPageFault(VcpuExit.PageFault fault, Machine machine) {
        long page = fault.pageNumber();
        if (!incoming.isPending(page)) {
            failure = "fault on page " + page + ", which is absent but not expected from the source";
            return Resolution.RETURN;
        }
        if (incoming.hasArrived(page)) {
            minorFaults++;
            machine.memory().map(page);
            return Resolution.RESUME;
        }
        networkFaults++;
        long start = System.nanoTime();
        if (incoming.markRequested(page)) {
            requests.sendNow(new PageRequest(page));
            requestsSent++;
        }
        try {
            if (!incoming.awaitArrival(page, timeoutNanos)) {
                failure = "page " + page + " did not arrive within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
                return Resolution.RETURN;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted while waiting for page " + page;
            return Resolution.RETURN;
        }
        latency.recordValue(Math.min(latency.getHighestTrackableValue(), System.nanoTime() - start));
        machine.memory().map(page);
        return Resolution.RESUME;
    }

    String failure() {
        return failure;
    }

    /** Read on the vCPU thread (inside a pause) once post-copy is complete. */
    FaultStats stats() {
        return new FaultStats(networkFaults, minorFaults, requestsSent,
                micros(latency.getValueAtPercentile(50)), micros(latency.getValueAtPercentile(90)),
                micros(latency.getValueAtPercentile(99)), micros(latency.getMaxValue()));
    }

    long latencyNanos(double percentile) {
        return percentile >= 100 ? latency.getMaxValue() : latency.getValueAtPercentile(percentile);
    }

    long networkFaults() {
        return networkFaults;
    }

    long minorFaults() {
        return minorFaults;
    }

    long requestsSent() {
        return requestsSent;
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }
}
