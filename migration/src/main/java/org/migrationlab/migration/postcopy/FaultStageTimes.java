package org.migrationlab.migration.postcopy;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.migrationlab.migration.protocol.MigrationRecord.FaultStages;

/**
 * The destination's side of the fault-latency breakdown: for each sampled network fault, the time from the
 * fault to its request written, from there to the reply read, from the reply read to the page installed,
 * and from there to the page mapped for the resuming vCPU. The four stages of one fault add up to its
 * latency up to the mapping. Written and read on the vCPU thread (read once it is paused or stopped).
 */
final class FaultStageTimes {
    private final Histogram request = histogram();
    private final Histogram roundTrip = histogram();
    private final Histogram install = histogram();
    private final Histogram resume = histogram();
    private long sampled;

    private static Histogram histogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }

    /** One fault's instants (nanoTime), in the order they happen; out of order ones are not a sample. */
    void record(long fault, long requestWritten, long replyRead, long installed, long mapped) {
        if (!(fault <= requestWritten && requestWritten <= replyRead && replyRead <= installed
                && installed <= mapped)) {
            return; // the reply was read before the request's write was seen complete: not a clean sample
        }
        add(request, requestWritten - fault);
        add(roundTrip, replyRead - requestWritten);
        add(install, installed - replyRead);
        add(resume, mapped - installed);
        sampled++;
    }

    private static void add(Histogram histogram, long nanos) {
        histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), nanos));
    }

    long sampled() {
        return sampled;
    }

    FaultStages toRecord() {
        return new FaultStages(sampled, stage(request), stage(roundTrip), stage(install), stage(resume));
    }

    private static FaultStages.Stage stage(Histogram histogram) {
        return new FaultStages.Stage(histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99));
    }
}
