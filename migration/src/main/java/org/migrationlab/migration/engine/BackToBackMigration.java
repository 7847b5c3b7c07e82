package org.migrationlab.migration.engine;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.SourceSession;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * One guest migrated back and forth in this JVM, with a pause between migrations, until it ends: the
 * degradation protocol of the post-copy paper (it repeats Nelson et al.'s). Each migration goes through the
 * same sessions and transport as two processes; the guest that arrived is the next migration's source,
 * and the copy it left is released once it arrived. The guest's completion time, against a run that never
 * moved, is what the migrations cost it.
 */
public final class BackToBackMigration {
    private static final long WAIT_SECONDS = 600;
    /** A bound on the sessions one run opens: the guest ends long before in any sane plan. */
    private static final int MAX_MIGRATIONS = 1_000;

    /**
     * @param migrations every migration's source report, in order
     * @param end        how the guest ended (where it was last)
     * @param summary    its end summary (memory hash, progress, console)
     * @param wallNanos  from its boot to its end
     */
    public record Outcome(List<MigrationReport> migrations, GuestEnd end, GuestSummary summary, long wallNanos) {
        public Outcome {
            migrations = List.copyOf(migrations);
        }
    }

    /**
     * What to run.
     *
     * @param firstAtProgress the first migration starts when the guest has done this much
     * @param lastAtProgress  no migration starts once the guest has done this much (so none races its end)
     * @param pauseMillis     how long the guest runs where it arrived before it moves again
     * @param maxMigrations   at most this many migrations
     * @param holdAt          each guest, wherever it runs, parks at this progress until the last migration is
     *                        over, so that however slow the migrations are the guest is still there for them
     *                        ({@code -1}: no hold, the guest runs at its own pace)
     */
    public record Plan(long firstAtProgress, long lastAtProgress, long pauseMillis, int maxMigrations, long holdAt) {
        public Plan {
            if (firstAtProgress < 1 || lastAtProgress < firstAtProgress || pauseMillis < 0) {
                throw new IllegalArgumentException("a plan needs 1 <= first <= last progress and a pause >= 0: "
                        + firstAtProgress + ", " + lastAtProgress + ", " + pauseMillis);
            }
            if (maxMigrations < 1 || maxMigrations > MAX_MIGRATIONS) {
                throw new IllegalArgumentException("migrations must be 1.." + MAX_MIGRATIONS + ": " + maxMigrations);
            }
            if (holdAt != GuestHold.NONE && holdAt < firstAtProgress) {
                throw new IllegalArgumentException("the hold (" + holdAt + ") comes before the first migration ("
                        + firstAtProgress + ")");
            }
        }

        /** Migrations at the guest's own pace, as many as fit between the two progress points. */
        public Plan(long firstAtProgress, long lastAtProgress, long pauseMillis) {
            this(firstAtProgress, lastAtProgress, pauseMillis, MAX_MIGRATIONS, GuestHold.NONE);
        }
    }

    private BackToBackMigration() {
    }

    /** Runs the guest of {@code config} to its end, migrated as {@code plan} says; throws if a migration fails. */
    public static Outcome run(GuestFactory machines, MachineConfig config, GuestImage image, String imageLabel,
                              MigrationConfig migration, TransportConfig transport, Plan plan) throws Exception {
        BlockingQueue<DestinationSession> incoming = new ArrayBlockingQueue<>(4);
        Destinations destinations = new Destinations(machines, MAX_MIGRATIONS, 1L << 36,
                transport.replyTimeoutMillis(), session -> {
                    if (!incoming.offer(session)) {
                        throw new IllegalStateException("more incoming migrations than this run started");
                    }
                });
        List<MigrationReport> reports = new ArrayList<>();
        try (MigrationServer server = new MigrationServer(new InetSocketAddress("127.0.0.1", 0), transport,
                destinations::resolve);
             MigrationClient client = new MigrationClient(transport)) {
            Migratable guest = machines.boot(config, image);
            try {
                long booted = System.nanoTime();
                CompletableFuture<Void> first = new StartTrigger.AtProgress(plan.firstAtProgress()).armOn(guest);
                GuestHold hold = GuestHold.arm(guest, plan.holdAt());
                guest.start();
                await(CompletableFuture.anyOf(first, guest.ended()));
                while (!guest.ended().isDone() && guest.progress().units() < plan.lastAtProgress()
                        && reports.size() < plan.maxMigrations()) {
                    SourceSession session = new SourceSession(guest, imageLabel, migration, client, server.address(),
                            transport.replyTimeoutMillis());
                    MigrationReport report = session.migrate();
                    reports.add(report);
                    if (!report.completed()) {
                        throw new IllegalStateException("migration " + reports.size() + " failed: " + report.error());
                    }
                    DestinationSession there = incoming.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                    if (there == null) {
                        throw new IllegalStateException("migration " + reports.size() + " completed, yet no "
                                + "destination session was opened");
                    }
                    Migratable arrived = await(there.arrival()).guest();
                    guest.close(); // the copy it left: every page is at its new place now
                    guest = arrived;
                    hold = GuestHold.arm(guest, plan.holdAt()); // at once if it is past the point
                    if (report.scheme().guestEndedBeforeSwitchOver()
                            || OutgoingMigration.endsWithin(guest, plan.pauseMillis())) {
                        break;
                    }
                }
                hold.release(true); // the last migration is over: the guest runs to its end where it is
                GuestEnd end = await(guest.ended());
                long wall = System.nanoTime() - booted;
                return new Outcome(reports, end, await(guest.summary()), wall);
            } finally {
                guest.close();
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + WAIT_SECONDS + " s", e);
        }
    }
}
