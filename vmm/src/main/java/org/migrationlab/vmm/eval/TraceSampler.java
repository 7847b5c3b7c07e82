package org.migrationlab.vmm.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.migrationlab.emulator.port.GuestProgress;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.progress.ChannelBytes;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.session.DestinationSession;

/**
 * Samples one in-process migration at a fixed period, from the moment the source's guest boots until
 * {@link #close()}: the guest's progress counter (whichever end it runs at: the counters move with the
 * guest, so the larger of the two is the guest's), the bytes the migration has written, and its phase.
 */
final class TraceSampler implements InProcessMigration.Watcher, AutoCloseable {
    /**
     * One sample.
     *
     * @param nanos          when, on {@link System#nanoTime()}
     * @param guestUnits     the guest's progress so far
     * @param migrationBytes bytes written on the migration's channels so far (0 before it starts)
     * @param phase          the migration's phase ("" before it starts)
     */
    record Sample(long nanos, long guestUnits, long migrationBytes, String phase) {
    }

    private final long periodNanos;
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon(true).name("eval-trace").factory());
    private volatile GuestProgress source;
    private volatile MigrationProgress migration;
    private volatile long migratingAtNanos;
    private volatile DestinationSession destinationSession;
    private volatile GuestProgress destination;

    TraceSampler(long periodNanos) {
        this.periodNanos = periodNanos;
    }

    @Override
    public void sourceBooted(Migratable guest) {
        source = guest.progress();
        clock.scheduleAtFixedRate(this::sample, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void migrating(MigrationProgress progress) {
        migratingAtNanos = System.nanoTime();
        migration = progress;
    }

    @Override
    public void destination(DestinationSession session) {
        destinationSession = session;
    }

    private void sample() {
        GuestProgress here = source;
        long units = here == null ? 0 : here.units();
        if (destination == null && destinationSession != null) {
            destination = destinationSession.guestProgress().orElse(null);
        }
        GuestProgress there = destination;
        if (there != null) {
            units = Math.max(units, there.units());
        }
        MigrationProgress m = migration;
        long bytes = 0;
        String phase = "";
        if (m != null) {
            ChannelBytes channels = m.channelBytes();
            bytes = channels.bulk() + channels.urgent();
            phase = m.phase();
        }
        Sample s = new Sample(System.nanoTime(), units, bytes, phase);
        synchronized (samples) {
            samples.add(s);
        }
    }

    /** When the migration started (its trigger fired), or 0 if it did not. */
    long migratingAtNanos() {
        return migratingAtNanos;
    }

    /** The samples so far. */
    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() throws InterruptedException {
        clock.shutdownNow();
        clock.awaitTermination(10, TimeUnit.SECONDS);
    }
}
