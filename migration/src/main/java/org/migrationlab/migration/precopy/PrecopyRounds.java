package org.migrationlab.migration.precopy;

import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.pages.PageSender;
import org.migrationlab.migration.precopy.stop.StopPolicy;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.progress.PageObserver;
import org.migrationlab.migration.step.Step;
import org.migrationlab.migration.step.StepGate;
import org.migrationlab.migration.progress.RoundFigures;
import org.migrationlab.migration.transport.PeerChannel;

/**
 * The pre-copy round loop (PROTOCOL §1.1) while the guest runs: round 0 sends every page that is not
 * ballooned, each later round the pages dirtied during the one before, until the stop policy says
 * switch over. Applies the policy's vCPU throttle (auto-converge) between rounds. Runs on the session
 * thread; the guest is reached only through the port.
 */
public final class PrecopyRounds {
    /** What the rounds ended with: why they stopped, and the pages dirtied in the last round, not yet sent. */
    public record Outcome(StopPolicy.Decision.SwitchOver decision, PageBitmap unsentDirty) {
    }

    private final Migratable guest;
    private final PeerChannel bulk;
    private final MigrationProgress progress;
    private final long replyTimeoutMillis;
    private final LongSupplier bytesWritten;
    private final StepGate steps;

    /** @param bytesWritten bytes written on every channel of the migration so far (the link rate's numerator) */
    public PrecopyRounds(Migratable guest, PeerChannel bulk, MigrationProgress progress, long replyTimeoutMillis,
                         LongSupplier bytesWritten) {
        this(guest, bulk, progress, replyTimeoutMillis, bytesWritten, StepGate.OPEN);
    }

    /** @param steps asked before each round (step mode); the round's time starts after it */
    public PrecopyRounds(Migratable guest, PeerChannel bulk, MigrationProgress progress, long replyTimeoutMillis,
                         LongSupplier bytesWritten, StepGate steps) {
        this.steps = steps;
        this.guest = guest;
        this.bulk = bulk;
        this.progress = progress;
        this.replyTimeoutMillis = replyTimeoutMillis;
        this.bytesWritten = bytesWritten;
    }

    /**
     * Runs the rounds. {@code policy} decides after each one; with {@code oneRound} (hybrid) the loop
     * switches over after round 0 whatever the policy would say.
     */
    public Outcome run(PageSender sender, StopPolicy policy, DirtyLogMode dirtyLog, boolean oneRound)
            throws InterruptedException, ExecutionException {
        guest.startDirtyLog(dirtyLog).get();
        long guestPages = progress.guestPages();
        PageBitmap toSend = new PageBitmap(guestPages);
        toSend.setRange(0, guestPages);
        long totalSent = 0;
        for (int round = 0; ; round++) {
            steps.pass(Step.PRECOPY_ROUND);
            progress.phase("precopy round " + round);
            long roundStart = System.nanoTime();
            long bytesBefore = bytesWritten.getAsLong();
            long unitsBefore = guest.progress().units();
            int throttleInRound = guest.throttlePercent();
            long sentInRound = sendAll(sender, toSend, SendReason.PRECOPY_ROUND, round, progress, guest);
            sender.flush();
            totalSent += sentInRound;
            PageBitmap dirty = guest.harvestDirtyLog().get();
            long roundNanos = Math.max(1, System.nanoTime() - roundStart);
            // Bytes at the same instant as the time: ROUND_END may wait for the link's queue to drain, and bytes
            // counted after that wait, over a time taken before it, made a round look several times faster.
            long bytesInRound = bytesWritten.getAsLong() - bytesBefore;
            long dirtyPages = dirty.cardinality();
            PageObserver observer = progress.pageObserver();
            for (long page = dirty.nextSetBit(0); page >= 0; page = dirty.nextSetBit(page + 1)) {
                observer.dirtied(page);
            }
            bulk.send(new MigrationRecord.RoundEnd(round, dirtyPages), replyTimeoutMillis);
            double seconds = roundNanos / 1e9;
            double bytesPerSecond = bytesInRound / seconds;
            progress.dirtyPagesRate(dirtyPages / seconds);
            progress.roundsDone(round + 1);
            progress.remainingPages(dirtyPages);
            progress.roundEnded(new RoundFigures(round, roundNanos, sentInRound, dirtyPages, bytesPerSecond,
                    throttleInRound, (guest.progress().units() - unitsBefore) / seconds));
            StopPolicy.Decision decision = oneRound
                    ? new StopPolicy.Decision.SwitchOver("hybrid: one pre-copy round", -1)
                    : policy.afterRound(new StopPolicy.RoundReport(round, dirtyPages, sentInRound, totalSent,
                    guestPages, roundNanos, bytesPerSecond, dirtyPages / seconds));
            switch (decision) {
                case StopPolicy.Decision.SwitchOver switchOver -> {
                    return new Outcome(switchOver, dirty);
                }
                case StopPolicy.Decision.KeepCopying keep -> {
                    if (keep.throttlePercent() != guest.throttlePercent()) {
                        guest.throttle(keep.throttlePercent());
                        progress.cpuThrottlePercent(keep.throttlePercent());
                    }
                    toSend = dirty;
                }
            }
        }
    }

    /**
     * Sends every page of {@code set} except ballooned ones (PROTOCOL §5.5), keeping the progress's
     * remaining pages current as it goes. While the guest runs, the ballooned state read may be stale: a
     * page ballooned after the read is sent once more (the destination balloons it at the switch-over), a
     * page deflated after it is logged dirty by the deflation and sent in the next round.
     */
    public static long sendAll(PageSender sender, PageBitmap set, SendReason reason, int round,
                               MigrationProgress progress, Migratable guest) throws InterruptedException {
        long left = set.cardinality();
        progress.remainingPages(left);
        long count = 0;
        long skipped = 0;
        for (long page = set.nextSetBit(0); page >= 0; page = set.nextSetBit(page + 1)) {
            left--;
            if (guest.isBallooned(page)) {
                skipped++;
                progress.pageObserver().ballooned(page);
                continue;
            }
            sender.add(page, reason, round);
            count++;
            if ((count & 0xff) == 0) {
                progress.remainingPages(left);
            }
        }
        progress.balloonedSkipped(skipped);
        return count;
    }
}
