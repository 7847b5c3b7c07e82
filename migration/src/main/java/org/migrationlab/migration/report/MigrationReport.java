package org.migrationlab.migration.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The final statistics of one migration as the source saw them, grouped by what they describe. The
 * JSON report is flat where QEMU's query-migrate is (its key names, in its order), so the groups
 * whose keys sit at the top level are unwrapped there; what is an object in the JSON is a nested
 * record here. Durations in milliseconds (fractions allowed), sizes in bytes or pages as named.
 *
 * @param status   "completed", "failed", "rolled-back" (the destination lost the guest after the switch-over
 *                 and the source resumed its copy), or "not-started" when the guest ended before the migration began
 * @param error    why the migration failed; null when it completed (the JSON then leaves out error-desc)
 * @param progress the workload's progress rate around the migration
 * @param balloon  the guest's self-balloon at the switch-over
 * @param oracle   what comparing the migrated guest with an unmigrated run found ("not-checked" before)
 */
public record MigrationReport(
        @JsonProperty("status") String status,
        @JsonProperty("error-desc") @JsonInclude(JsonInclude.Include.NON_NULL) String error,
        @JsonUnwrapped Scheme scheme,
        @JsonUnwrapped Timing timing,
        @JsonUnwrapped Transfer transfer,
        @JsonUnwrapped Convergence convergence,
        @JsonUnwrapped Phases phases,
        @JsonUnwrapped Pages pages,
        @JsonUnwrapped Recovery recovery,
        @JsonUnwrapped Faults faults,
        @JsonProperty("progress-rate") ProgressRates progress,
        @JsonProperty("balloon") BalloonSummary balloon,
        @JsonProperty("oracle") String oracle) {

    /**
     * The report of a migration that never started because the guest had ended first: nothing was sent,
     * {@code status} is "not-started" and {@code guest-ended-before-switch-over} is true.
     */
    public static final String NOT_STARTED = "not-started";

    public static MigrationReport notStarted(String mode, long ramBytes, String why) {
        long pages = ramBytes / org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE;
        return new MigrationReport(NOT_STARTED, why, new Scheme(mode, "n/a", "n/a", "", true),
                new Timing(0, 0, 0, -1), new Transfer(0, ramBytes, ramBytes, 0, 0, 0), new Convergence(0, 0, 0, 0, 0, List.of()),
                new Phases(0, 0, 0, 0), new Pages(Map.of(), 0, pages), Recovery.NONE, Faults.of(FaultStats.NONE, -1),
                ProgressRates.UNKNOWN, BalloonSummary.NONE, "not-checked");
    }

    /**
     * How the migration ran and why it switched over.
     *
     * @param mode         precopy, postcopy, hybrid or stop-and-copy
     * @param prepage      the prepaging strategy ("n/a" for pre-copy and stop-and-copy), "(forward)" appended when
     *                     forward only
     * @param stopPolicy   the pre-copy stop policy ("n/a" for post-copy, hybrid and stop-and-copy)
     * @param switchReason what ended pre-copy (empty if it never ended); "postcopy" for post-copy, which has none;
     *                     "stop-and-copy: no live round" for stop-and-copy
     * @param guestEndedBeforeSwitchOver the guest had already halted when the source paused it: what moved was
     *                     a finished guest, nothing live was migrated
     */
    public record Scheme(@JsonProperty("mode") String mode,
                         @JsonProperty("prepage") String prepage,
                         @JsonProperty("stop-policy") String stopPolicy,
                         @JsonProperty("switch-reason") String switchReason,
                         @JsonProperty("guest-ended-before-switch-over") boolean guestEndedBeforeSwitchOver) {
    }

    /**
     * Wall-clock durations in milliseconds.
     *
     * @param totalMs            from the start to the destination's COMPLETE (or to the failure)
     * @param setupMs            connecting, the handshake, and the destination building its machine (READY)
     * @param downtimeMs         from the source's vCPU stopped to the destination's RESUMED read here; 0 when
     *                           it never resumed
     * @param expectedDowntimeMs what the stop policy expected the downtime to be; -1 when it made no estimate
     * @param downtimeBreakdown  where the downtime went; null when the guest never resumed at the destination
     */
    public record Timing(@JsonProperty("total-time") double totalMs,
                         @JsonProperty("setup-time") double setupMs,
                         @JsonProperty("downtime") double downtimeMs,
                         @JsonProperty("expected-downtime") double expectedDowntimeMs,
                         @JsonProperty("downtime-breakdown") DowntimeBreakdown downtimeBreakdown) {
        /** Timings of a migration that never resumed a guest at the destination. */
        public Timing(double totalMs, double setupMs, double downtimeMs, double expectedDowntimeMs) {
            this(totalMs, setupMs, downtimeMs, expectedDowntimeMs, null);
        }
    }

    /**
     * What crossed the network and what was left.
     *
     * @param transferredBytes bytes written to both channels
     * @param remainingBytes   bytes of guest RAM not yet sent
     * @param totalBytes       the guest's RAM
     * @param duplicatePages   pages sent as zero records (QEMU's "duplicate")
     * @param normalPages      pages sent with their data
     * @param normalBytes      the bytes of data those pages carried (compressed when compression is on)
     */
    public record Transfer(@JsonProperty("transferred") long transferredBytes,
                           @JsonProperty("remaining") long remainingBytes,
                           @JsonProperty("total") long totalBytes,
                           @JsonProperty("duplicate") long duplicatePages,
                           @JsonProperty("normal") long normalPages,
                           @JsonProperty("normal-bytes") long normalBytes) {

        /** Pages that crossed the network: zero records plus pages with data. */
        public long pagesSent() {
            return duplicatePages + normalPages;
        }
    }

    /**
     * Whether pre-copy could catch up with the guest.
     *
     * @param dirtyPagesRate pages the guest dirtied per second, in the last pre-copy round
     * @param mbps           megabits written per second over the whole migration
     * @param dirtySyncCount dirty-log syncs, one per pre-copy round
     * @param cpuThrottlePercentage the vCPU throttle auto-converge had reached at the switch-over (QEMU's
     *                       cpu-throttle-percentage); 0 when the guest was never throttled
     * @param dirtyLogFaults the page faults write-protect dirty logging cost the guest; 0 with dirty-bit logging
     *                       or without pre-copy
     * @param rounds         each pre-copy round, in order (empty without pre-copy)
     */
    public record Convergence(@JsonProperty("dirty-pages-rate") double dirtyPagesRate,
                              @JsonProperty("mbps") double mbps,
                              @JsonProperty("dirty-sync-count") int dirtySyncCount,
                              @JsonProperty("cpu-throttle-percentage") int cpuThrottlePercentage,
                              @JsonProperty("dirty-log-faults") long dirtyLogFaults,
                              @JsonProperty("precopy-rounds") List<PrecopyRound> rounds) {
        public Convergence {
            rounds = List.copyOf(rounds);
        }
    }

    /**
     * One pre-copy round: what it sent, what the guest dirtied meanwhile, the link rate, the throttle in force
     * and the guest's progress rate, which show each stop policy's decisions and what auto-converge's throttle
     * cost the guest.
     *
     * @param round                 0 for the full copy, then 1, 2, …
     * @param timeMs                how long the round took
     * @param pages                 pages sent in it
     * @param dirtyPages            pages the guest dirtied during it
     * @param mbps                  megabits per second written during it
     * @param cpuThrottlePercentage the vCPU throttle in force while it ran
     * @param progressRate          the guest's progress units per second of wall time while it ran
     */
    @JsonPropertyOrder({"round", "time", "pages", "dirty-pages", "mbps", "cpu-throttle-percentage", "progress-rate"})
    public record PrecopyRound(@JsonProperty("round") int round,
                               @JsonProperty("time") double timeMs,
                               @JsonProperty("pages") long pages,
                               @JsonProperty("dirty-pages") long dirtyPages,
                               @JsonProperty("mbps") double mbps,
                               @JsonProperty("cpu-throttle-percentage") int cpuThrottlePercentage,
                               @JsonProperty("progress-rate") double progressRate) {
        /** The progress's figures of one round, in the report's units. */
        public static PrecopyRound of(org.migrationlab.migration.progress.RoundFigures figures) {
            return new PrecopyRound(figures.round(), figures.nanos() / 1e6, figures.pagesSent(), figures.dirtyPages(),
                    figures.bytesPerSecond() * 8 / 1e6, figures.throttlePercent(), figures.progressPerSecond());
        }
    }

    /**
     * What each phase cost.
     *
     * @param postcopyRequests page requests the source served after the switch-over
     * @param precopyBytes     bytes written before the pause
     * @param downtimeBytes    bytes written while the guest was paused
     * @param postcopyBytes    bytes written after the destination resumed the guest
     */
    public record Phases(@JsonProperty("postcopy-requests") long postcopyRequests,
                         @JsonProperty("precopy-bytes") long precopyBytes,
                         @JsonProperty("downtime-bytes") long downtimeBytes,
                         @JsonProperty("postcopy-bytes") long postcopyBytes) {
    }

    /**
     * Pages by why they were sent.
     *
     * @param byKind      precopy-round-N, stop-and-copy, push, prepage, demand, in that order
     * @param resentPages pages sent more than once
     * @param guestPages  the guest's pages
     */
    public record Pages(@JsonProperty("pages-by-kind") Map<String, Long> byKind,
                        @JsonProperty("resent-pages") long resentPages,
                        @JsonProperty("guest-pages") long guestPages) {
        public Pages {
            byKind = Collections.unmodifiableMap(new LinkedHashMap<>(byKind)); // keeps the order
        }
    }

    /**
     * Post-copy recovery after the link broke (PROTOCOL §5.6).
     *
     * @param recoveries     times the migration was paused and resumed over new connections
     * @param recoveryMs     time from each loss of the link to the migration going on, summed
     * @param lostPagesResent pages sent again because their first copy was lost in flight with a broken
     *                       connection (not counted in {@code resent-pages}: each reached the destination once)
     */
    public record Recovery(@JsonProperty("postcopy-recoveries") long recoveries,
                           @JsonProperty("recovery-time") double recoveryMs,
                           @JsonProperty("postcopy-lost-pages-resent") long lostPagesResent,
                           @JsonProperty("rollback") Rollback rollback,
                           @JsonProperty("source-restart") SourceRestart restart) {
        public static final Recovery NONE = new Recovery(0, 0, 0);

        /** Without a rollback. */
        public Recovery(long recoveries, double recoveryMs, long lostPagesResent) {
            this(recoveries, recoveryMs, lostPagesResent, null, null);
        }

        /** Without a source restart. */
        public Recovery(long recoveries, double recoveryMs, long lostPagesResent, Rollback rollback) {
            this(recoveries, recoveryMs, lostPagesResent, rollback, null);
        }
    }

    /**
     * This source process took the migration over from one that died after the switch-over ({@code vmm migrate
     * --recover}, docs/FAULTS.md).
     *
     * @param restarts          source processes that took the migration over, this one included
     * @param migrationId       the migration it took over
     * @param pagesOwed         pages the destination lacked when this process reconnected (its bitmap)
     * @param pagesServed       pages this process sent (pushed, prepaged or demanded): each of those once
     * @param reconnectedAtEpochMs when the destination's bitmap arrived (wall clock, ms since the epoch)
     * @param completedAtEpochMs when COMPLETE arrived: the guest at the destination has every page (wall clock)
     * @param killToCompleteMs  from the dead source's kill to COMPLETE, when a harness killed it and measured
     *                          that (the demo); -1 otherwise
     */
    public record SourceRestart(@JsonProperty("source-restarts") int restarts,
                                @JsonProperty("recovered-migration") String migrationId,
                                @JsonProperty("pages-owed-at-restart") long pagesOwed,
                                @JsonProperty("pages-served-after-restart") long pagesServed,
                                @JsonProperty("reconnected-at-epoch-ms") long reconnectedAtEpochMs,
                                @JsonProperty("completed-at-epoch-ms") long completedAtEpochMs,
                                @JsonProperty("kill-to-complete") double killToCompleteMs) {
    }

    /** With the time from the dead source's kill to COMPLETE, as a harness measured it. */
    public MigrationReport withKillToComplete(double millis) {
        SourceRestart r = recovery.restart();
        if (r == null) {
            return this;
        }
        return new MigrationReport(status, error, scheme, timing, transfer, convergence, phases, pages,
                new Recovery(recovery.recoveries(), recovery.recoveryMs(), recovery.lostPagesResent(),
                        recovery.rollback(), new SourceRestart(r.restarts(), r.migrationId(), r.pagesOwed(),
                        r.pagesServed(), r.reconnectedAtEpochMs(), r.completedAtEpochMs(), millis)),
                faults, progress, balloon, oracle);
    }

    /** The status of a migration whose destination lost the guest after the switch-over, and the source resumed it. */
    public static final String ROLLED_BACK = "rolled-back";

    /**
     * The source resumed its frozen copy because the destination proved it lost the guest (PROTOCOL §5.7).
     *
     * @param point              where the guest went back to: {@code switch-over}
     * @param rollbackMs         from the link's loss (the destination's death, as this side saw it) to the guest
     *                           running again here; -1 when unknown
     * @param resumedAtEpochMs   when the guest ran again here (wall clock, ms since the epoch): a harness that
     *                           killed the destination measures from its kill to this
     * @param postcopyPagesLost  the destination's progress since the switch-over as this side knows it: the
     *                           pages sent to it after the switch-over, lost with it
     * @param why                the destination's answer
     * @param killToResumeMs     from the destination's kill to the guest running again here, when a harness
     *                           killed it and measured that (the demo); -1 otherwise
     */
    public record Rollback(@JsonProperty("rolled-back-to") String point,
                           @JsonProperty("rollback-time") double rollbackMs,
                           @JsonProperty("resumed-at-epoch-ms") long resumedAtEpochMs,
                           @JsonProperty("postcopy-pages-lost") long postcopyPagesLost,
                           @JsonProperty("reason") String why,
                           @JsonProperty("kill-to-resume") double killToResumeMs) {
    }

    /**
     * Post-copy faults at the destination, against the workload's working set, and their latency. The
     * destination's count of page requests it sent is not part of it: {@link Phases#postcopyRequests}
     * counts the requests the source served.
     */
    public record Faults(@JsonProperty("network-faults") NetworkFaults network,
                         @JsonProperty("fault-latency-us") FaultLatency latency,
                         @JsonProperty("fault-latency-breakdown") FaultLatencyBreakdown breakdown) {

        /** What the destination measured; {@code workingSetPages} is -1 when the working set is not known. */
        public static Faults of(FaultStats stats, long workingSetPages) {
            return of(stats, workingSetPages, null);
        }

        /** With where the sampled faults' time went; {@code breakdown} is null when no fault was sampled. */
        public static Faults of(FaultStats stats, long workingSetPages, FaultLatencyBreakdown breakdown) {
            return new Faults(new NetworkFaults(stats.networkFaults(), stats.minorFaults(), workingSetPages),
                    stats.latency(), breakdown);
        }
    }

    /**
     * Network faults (the vCPU waited for a page from the source) and minor faults (the first touch
     * of a page that had already arrived), with the two shares derived from them.
     *
     * @param workingSetPages the workload's working set in pages; -1 when it is not known
     */
    @JsonPropertyOrder({"count", "minor", "ratio", "working-set-pages", "share-of-working-set"})
    public record NetworkFaults(@JsonProperty("count") long count,
                                @JsonProperty("minor") long minor,
                                @JsonProperty("working-set-pages") long workingSetPages) {

        /** Network faults among all first touches, network / (network + minor); NaN when there were none. */
        @JsonProperty("ratio")
        public double ratio() {
            long all = count + minor;
            return all == 0 ? Double.NaN : (double) count / all;
        }

        /** Network faults as a share of the working set; NaN when the working set is not known. */
        @JsonProperty("share-of-working-set")
        public double shareOfWorkingSet() {
            return workingSetPages <= 0 ? Double.NaN : (double) count / workingSetPages;
        }
    }

    /**
     * The workload's progress rate (units per second of wall time) around the migration; NaN if unknown.
     *
     * @param heldAt the progress at which the source parked the guest until the migration was over
     *               ({@code --hold-at}), or -1 when it did not: a held guest makes no progress meanwhile
     */
    public record ProgressRates(@JsonProperty("before") double before,
                                @JsonProperty("during") double during,
                                @JsonProperty("after") double after,
                                @JsonProperty("held-at") long heldAt) {
        public static final ProgressRates UNKNOWN = new ProgressRates(Double.NaN, Double.NaN, Double.NaN);

        /** Rates of a guest that was not held. */
        public ProgressRates(double before, double during, double after) {
            this(before, during, after, -1);
        }

        /** The same, with {@code after} as measured at the destination. */
        public ProgressRates withAfter(double rate) {
            return new ProgressRates(before, during, rate, heldAt);
        }
    }

    public boolean completed() {
        return "completed".equals(status);
    }

    public MigrationReport withOracle(String verdict) {
        return new MigrationReport(status, error, scheme, timing, transfer, convergence, phases, pages, recovery,
                faults, progress, balloon, verdict);
    }

    /** With the time from the destination's kill to the guest running again here, as a harness measured it. */
    public MigrationReport withKillToResume(double millis) {
        Rollback r = recovery.rollback();
        if (r == null) {
            return this;
        }
        return new MigrationReport(status, error, scheme, timing, transfer, convergence, phases, pages,
                new Recovery(recovery.recoveries(), recovery.recoveryMs(), recovery.lostPagesResent(),
                        new Rollback(r.point(), r.rollbackMs(), r.resumedAtEpochMs(), r.postcopyPagesLost(), r.why(),
                                millis)), faults, progress, balloon, oracle);
    }

    public MigrationReport withProgress(ProgressRates rates) {
        return new MigrationReport(status, error, scheme, timing, transfer, convergence, phases, pages, recovery,
                faults, rates, balloon, oracle);
    }
}
