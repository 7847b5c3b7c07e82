package org.migrationlab.migration.transport;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.migrationlab.migration.faults.Fault;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.faults.FaultSchedule;

/**
 * One migration's fault plan at work on the source: the schedule that says which faults are due, the
 * {@link FaultInjector} of each of its connections, the pages still to corrupt, and a log line for every
 * fault fired. Shared by the migration's connections, which report to it from their event loops.
 */
final class FaultRun {
    private final FaultPlan plan;
    private final FaultSchedule schedule;
    private final Consumer<String> log;
    private final Map<Fault.Link, FaultInjector> injectors = new EnumMap<>(Fault.Link.class);
    private int pagesToCorrupt;

    FaultRun(FaultPlan plan, Consumer<String> log) {
        this.plan = plan;
        this.schedule = new FaultSchedule(plan);
        this.log = log;
    }

    FaultPlan plan() {
        return plan;
    }

    FaultSchedule schedule() {
        return schedule;
    }

    synchronized void attach(Fault.Link link, FaultInjector injector) {
        injectors.put(link, injector);
    }

    /** Fires faults that just became due; {@code from} is the injector whose traffic made them due. */
    void fire(List<Fault> due, FaultInjector from) {
        for (Fault fault : due) {
            String where = schedule.where();
            switch (fault) {
                case Fault.Corrupt corrupt -> {
                    synchronized (this) {
                        pagesToCorrupt += corrupt.pages();
                    }
                    log.accept("fault fired: " + fault.print() + " (" + where + ")");
                }
                case Fault.Close close -> act(close.link(), fault, where, from);
                case Fault.Silence silence -> act(silence.link(), fault, where, from);
                case Fault.Delay delay -> act(delay.link(), fault, where, from);
                // A process cannot kill its peer: the line is the cue for the harness that runs both.
                case Fault.Kill kill -> log.accept("fault fired: " + fault.print() + " (" + where + ")");
            }
        }
    }

    private void act(Fault.Link link, Fault fault, String where, FaultInjector from) {
        FaultInjector target;
        synchronized (this) {
            target = injectors.get(link);
        }
        if (target == null) {
            log.accept("fault not injected (this migration has no " + link.name().toLowerCase() + " connection): "
                    + fault.print());
            return;
        }
        log.accept("fault fired: " + fault.print() + " (" + where + ")");
        target.inject(fault, target == from);
    }

    /** Takes up to {@code wanted} of the pages still to corrupt. */
    synchronized int takePagesToCorrupt(int wanted) {
        int taken = Math.min(wanted, pagesToCorrupt);
        pagesToCorrupt -= taken;
        return taken;
    }

    synchronized boolean corrupting() {
        return pagesToCorrupt > 0;
    }
}
