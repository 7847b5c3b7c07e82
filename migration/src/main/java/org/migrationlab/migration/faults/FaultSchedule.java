package org.migrationlab.migration.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * Which faults of a plan are due, as one migration's records go out of the source: it is told the guest's
 * size, each batch of pages (before or after the switch-over) and the switch-over, and answers each time
 * with the faults whose trigger that event reached. Each fault is due exactly once; a fault whose event
 * never comes (a post-copy share in a pre-copy migration) is never due. Thread-safe: a migration's
 * connections report from their own threads.
 */
public final class FaultSchedule {
    private final List<Fault> waiting;
    private long guestPages;
    private long precopyPages;
    private int round = -1;
    private boolean switchedOver;
    private long pendingAtSwitchOver;
    private long postcopyPages;

    public FaultSchedule(FaultPlan plan) {
        this.waiting = new ArrayList<>(plan.faults());
    }

    /** GUEST_CONFIG: the guest has {@code pages} pages. */
    public synchronized List<Fault> guestPages(long pages) {
        guestPages = pages;
        return due();
    }

    /**
     * A batch of {@code count} pages goes out: sent before the switch-over ({@code precopy}, in pre-copy
     * round {@code round} or the stop-and-copy) or after it.
     */
    public synchronized List<Fault> pagesSent(boolean precopy, boolean stopAndCopy, int batchRound, int count) {
        if (precopy) {
            if (!stopAndCopy) {
                round = Math.max(round, batchRound);
            }
            precopyPages += count;
        } else {
            postcopyPages += count;
        }
        return due();
    }

    /** SWITCH_OVER goes out with {@code pending} pages still to come. */
    public synchronized List<Fault> switchOver(long pending) {
        switchedOver = true;
        pendingAtSwitchOver = pending;
        return due();
    }

    /** Pages sent before the switch-over, for the fault log. */
    public synchronized String where() {
        if (!switchedOver) {
            return "pre-copy round " + Math.max(round, 0) + ", " + precopyPages + " of " + guestPages + " pages sent";
        }
        return "post-copy, " + postcopyPages + " of " + pendingAtSwitchOver + " pending pages sent";
    }

    private List<Fault> due() {
        List<Fault> due = new ArrayList<>();
        waiting.removeIf(fault -> {
            if (reached(fault.trigger())) {
                due.add(fault);
                return true;
            }
            return false;
        });
        return due;
    }

    private boolean reached(Trigger trigger) {
        return switch (trigger) {
            case Trigger.PrecopyRound r -> !switchedOver && round >= r.round();
            case Trigger.PrecopyShare s -> !switchedOver && guestPages > 0 && precopyPages > 0
                    && precopyPages * 100 >= s.percent() * guestPages;
            case Trigger.SwitchOver s -> switchedOver;
            case Trigger.PostcopyShare s -> switchedOver && pendingAtSwitchOver > 0 && postcopyPages > 0
                    && postcopyPages * 100 >= s.percent() * pendingAtSwitchOver;
        };
    }
}
