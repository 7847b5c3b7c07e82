package org.migrationlab.migration.postcopy;

import java.util.concurrent.TimeUnit;

import org.migrationlab.migration.pages.PageSender;
import org.migrationlab.migration.pages.SentPages;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.step.Step;
import org.migrationlab.migration.step.StepGate;

/**
 * The source's post-copy push (PROTOCOL §1.2) on the session thread: sends every page not yet sent, in
 * the order the prepaging strategy chooses around the destination's faults, until every page has been
 * handed to a channel exactly once. Demand replies go out meanwhile from the {@link PageServer}; the
 * shared {@link SentPages} keeps the two from sending a page twice.
 *
 * <p>A strategy that sweeps only when idle (demand-only) lets the guest fault for a while first: the
 * rest is swept once no fault came for {@link #IDLE_MILLIS}.
 */
public final class PostcopyPush {
    static final long IDLE_MILLIS = 200;

    /** Throws when the migration failed meanwhile (the peer aborted, a channel closed). */
    @FunctionalInterface
    public interface FailureCheck {
        void throwIfFailed();
    }

    private final SentPages sent;
    private final PageServer server;
    private final MigrationProgress progress;
    private final FailureCheck failure;
    private final StepGate steps;

    public PostcopyPush(SentPages sent, PageServer server, MigrationProgress progress, FailureCheck failure) {
        this(sent, server, progress, failure, StepGate.OPEN);
    }

    /** @param steps asked before each batch the push starts (step mode); faults are served meanwhile */
    public PostcopyPush(SentPages sent, PageServer server, MigrationProgress progress, FailureCheck failure,
                        StepGate steps) {
        this.steps = steps;
        this.sent = sent;
        this.server = server;
        this.progress = progress;
        this.failure = failure;
    }

    /**
     * Pushes until every page is sent. {@code strategyReason} is how the strategy's pages are counted (push
     * or prepage); pages of the final sweep count as push.
     */
    public void run(PrepageStrategy strategy, SendReason strategyReason, PageSender sender) throws InterruptedException {
        long sweep = 0;
        boolean admitted = false;
        long lastFaultNanos = System.nanoTime();
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS);
        while (!sent.allSent()) {
            Long fault;
            while ((fault = server.faults().poll()) != null) {
                steps.pass(Step.NETWORK_FAULT);
                strategy.onFault(fault);
                progress.pageObserver().pivot(fault);
                lastFaultNanos = System.nanoTime();
            }
            long page = strategy.next(sent);
            SendReason reason = strategyReason;
            if (page == PrepageStrategy.NO_PAGE) {
                long quiet = System.nanoTime() - lastFaultNanos;
                if (!strategy.sweepsWhenIdle() && quiet < idleNanos) {
                    // Demand only: sweep the rest only once the guest stopped faulting for a while.
                    sender.flush();
                    fault = server.faults().poll(idleNanos - quiet, TimeUnit.NANOSECONDS);
                    if (fault != null) {
                        steps.pass(Step.NETWORK_FAULT);
                        strategy.onFault(fault);
                        progress.pageObserver().pivot(fault);
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
            if (!sender.hasPending() && !admitted) {
                steps.pass(Step.PREPAGE_BATCH);
                admitted = true; // this batch may start, even if a fault took this page meanwhile
            }
            if (!sent.markSent(page)) {
                continue;
            }
            sender.add(page, reason, 0);
            admitted = false;
            progress.remainingPages(progress.guestPages() - sent.sentCount());
            if (!server.faults().isEmpty()) {
                sender.flush(); // a new pivot: what was batched around the old one goes out first
            }
            failure.throwIfFailed();
        }
        sender.flush();
    }
}
