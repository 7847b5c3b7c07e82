package org.migrationlab.migration.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.migrationlab.emulator.port.AbsentPageHandler;
import org.migrationlab.emulator.port.FrozenGuest;
import org.migrationlab.emulator.port.Migratable;

/**
 * When each end's guest may have run, for the split-brain check: every machine a watcher wraps
 * ({@link #watch}) records intervals of {@link System#nanoTime()} that contain every instant its vCPU ran. An
 * interval opens just before the engine starts or resumes the guest and closes only once the guest is known to
 * have stopped (its freeze completed, it ended, it was released or closed, or the test killed it), so each
 * recorded interval is a superset of the real one: if no source interval meets a destination interval, the
 * guest never ran on both sides at once.
 */
public final class RunIntervals {
    /** The end a machine belongs to. */
    public enum Side { SOURCE, DESTINATION }

    /**
     * One stretch in which a machine may have run; {@code to} is {@link Long#MAX_VALUE} while it is still open.
     *
     * @param machine which machine of its side (0 for the first one the side built)
     * @param opened  what opened it (start, resume)
     * @param closed  what closed it (freeze, ended, release, close, killed), or null while open
     */
    public record Interval(Side side, int machine, long from, long to, String opened, String closed) {
        boolean meets(Interval other) {
            return from < other.to && other.from < to;
        }

        @Override
        public String toString() {
            return side + "#" + machine + " [" + opened + " " + from + ", " + (closed == null ? "open"
                    : closed + " " + to) + ")";
        }
    }

    private final List<Interval> closed = new CopyOnWriteArrayList<>();
    private final List<Watched> machines = new CopyOnWriteArrayList<>();
    private final AtomicInteger sourceMachines = new AtomicInteger();
    private final AtomicInteger destinationMachines = new AtomicInteger();

    /** A decorator for one side's machines (LoopbackMigration's options, a {@link MachineDecorator}). */
    public UnaryOperator<Migratable> watch(Side side) {
        Objects.requireNonNull(side, "side");
        return machine -> {
            int index = (side == Side.SOURCE ? sourceMachines : destinationMachines).getAndIncrement();
            Watched watched = new Watched(machine, side, index);
            machines.add(watched);
            return watched;
        };
    }

    /** Stops every machine of {@code side} now, as the death of its process would: their intervals close. */
    public void kill(Side side) {
        for (Watched machine : machines) {
            if (machine.side == side) {
                machine.delegate().release();
                machine.stopped("killed");
            }
        }
    }

    /** Every interval so far, closed ones first, then those still open. */
    public List<Interval> intervals() {
        List<Interval> all = new ArrayList<>(closed);
        for (Watched machine : machines) {
            if (machine.delegate().ended().isDone()) {
                machine.stopped("ended"); // its own callback may not have run yet: closing later is still a superset
            }
            Interval open = machine.openInterval();
            if (open != null) {
                all.add(open);
            }
        }
        return all;
    }

    /** The intervals of one side. */
    public List<Interval> intervals(Side side) {
        return intervals().stream().filter(i -> i.side() == side).toList();
    }

    /** Each pair of a source and a destination interval that meet: empty when the guest never ran twice. */
    public List<String> overlaps() {
        List<Interval> all = intervals();
        List<String> overlaps = new ArrayList<>();
        for (Interval source : all) {
            for (Interval destination : all) {
                if (source.side() == Side.SOURCE && destination.side() == Side.DESTINATION
                        && source.meets(destination)) {
                    overlaps.add(source + " meets " + destination);
                }
            }
        }
        return overlaps;
    }

    private final class Watched extends ForwardingMigratable {
        private final Side side;
        private final int index;
        private Interval open;

        Watched(Migratable delegate, Side side, int index) {
            super(delegate);
            this.side = side;
            this.index = index;
        }

        synchronized Interval openInterval() {
            return open;
        }

        private synchronized void running(String why) {
            if (open == null) {
                open = new Interval(side, index, System.nanoTime(), Long.MAX_VALUE, why, null);
            }
        }

        synchronized void stopped(String why) {
            if (open != null) {
                closed.add(new Interval(side, index, open.from(), System.nanoTime(), open.opened(), why));
                open = null;
            }
        }

        private void watchTheEnd() {
            delegate().ended().whenComplete((end, failure) -> stopped("ended"));
        }

        @Override
        public void start() {
            running("start");
            watchTheEnd();
            super.start();
        }

        @Override
        public void start(AbsentPageHandler absentPages) {
            running("start");
            watchTheEnd();
            super.start(absentPages);
        }

        @Override
        public CompletableFuture<Void> resume() {
            running("resume");
            return super.resume();
        }

        @Override
        public CompletableFuture<FrozenGuest> freeze() {
            // The engine's own continuation runs after this one: the interval is closed before it acts.
            return super.freeze().whenComplete((frozen, failure) -> {
                if (failure == null) {
                    stopped("freeze");
                }
            });
        }

        @Override
        public void release() {
            super.release();
            stopped("release");
        }

        @Override
        public void close() {
            super.close();
            stopped("close");
        }
    }
}
