package org.migrationlab.migration.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;

import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;

/**
 * A source guest whose pre-copy is driven by the test instead of by the clock: it is parked where the
 * migration's start trigger fires and again as dirty logging starts, so every page a round sends is read
 * from a guest that stands still, and it runs only just before each harvest of the dirty log, for exactly
 * the progress units the test chose for that round (then it is parked again). What each round dirties, and
 * so what each stop policy sees, no longer depends on how fast this machine is; the guest is still live at
 * the switch-over, where its frozen state moves to the destination and runs on. A migration that fails lets
 * the guest run on here ({@link #resume}).
 */
public final class SteppedGuest extends ForwardingMigratable {
    private final IntToLongFunction unitsInRound;
    private final AtomicInteger harvests = new AtomicInteger();

    /** @param unitsInRound the progress units the guest runs during round r (0: it stays parked) */
    public SteppedGuest(Migratable delegate, IntToLongFunction unitsInRound) {
        super(delegate);
        this.unitsInRound = unitsInRound;
    }

    /** The guest runs {@code units} in each of the first {@code rounds} rounds and stands still after them. */
    public static IntToLongFunction runs(long units, int rounds) {
        return round -> round < rounds ? units : 0;
    }

    private Migratable guest() {
        return unwrap(delegate());
    }

    /**
     * The engine's start trigger: the guest is parked on the vCPU thread as its progress passes the trigger's
     * point. Parked only once dirty logging starts, a fast guest ran on through the migration's set-up (tens of
     * ms) and could end before the first harvest, whose target it then never reached: the harvest waited for
     * good.
     */
    @Override
    public CompletableFuture<Void> progressReached(long units) {
        Migratable guest = guest();
        return super.progressReached(units).thenRun(() -> guest.park(true));
    }

    @Override
    public CompletableFuture<Void> startDirtyLog(DirtyLogMode mode) {
        guest().park(true); // served at the guest's next pause, after which it stays parked
        return super.startDirtyLog(mode);
    }

    @Override
    public CompletableFuture<PageBitmap> harvestDirtyLog() {
        long units = unitsInRound.applyAsLong(harvests.getAndIncrement());
        if (units <= 0) {
            return super.harvestDirtyLog();
        }
        Migratable guest = guest();
        long target = guest.progress().units() + units;
        // On the vCPU thread as the counter passes the target: the guest stops at its next pause, where the
        // harvest (asked for off that thread) is served with the guest parked again.
        CompletableFuture<Void> ran = guest.progressReached(target).thenRun(() -> guest.park(true));
        guest.park(false);
        return ran.thenComposeAsync(ignored -> delegate().harvestDirtyLog());
    }

    /** How many times the engine harvested the dirty log: one per pre-copy round. */
    public int harvests() {
        return harvests.get();
    }

    @Override
    public CompletableFuture<Void> resume() {
        guest().park(false); // a failed migration: the guest is the source's again and runs on
        return super.resume();
    }
}
