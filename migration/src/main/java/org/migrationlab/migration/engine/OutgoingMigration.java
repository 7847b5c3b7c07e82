package org.migrationlab.migration.engine;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
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
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.restart.CheckpointSink;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.OperatorFence;
import org.migrationlab.migration.session.SourceSession;
import org.migrationlab.migration.step.StepGate;
import org.migrationlab.migration.step.SteppedGuest;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.transport.MigrationClient;

/**
 * The source's one call: boot a guest, run it until the trigger, migrate it, report. When the migration
 * fails before the destination took the guest, the guest runs on here to its end, and its end is part
 * of the outcome (the source never loses a guest it still owns).
 */
public final class OutgoingMigration {
    /**
     * What to migrate and where.
     *
     * @param imageLabel         how reports name the image (a file name, or the built-in kernel)
     * @param replyTimeoutMillis how long the source waits for any one reply of the destination
     * @param holdAt             park the guest when its progress reaches this, until the migration is over
     *                           ({@code --hold-at}); not before a progress trigger; -1 for no hold
     */
    public record Request(GuestFactory machines, MachineConfig config, GuestImage image, String imageLabel,
                          StartTrigger trigger, MigrationConfig migration, MigrationClient client,
                          InetSocketAddress destination, long replyTimeoutMillis, long holdAt) {
        /** A request without a hold. */
        public Request(GuestFactory machines, MachineConfig config, GuestImage image, String imageLabel,
                       StartTrigger trigger, MigrationConfig migration, MigrationClient client,
                       InetSocketAddress destination, long replyTimeoutMillis) {
            this(machines, config, image, imageLabel, trigger, migration, client, destination, replyTimeoutMillis,
                    GuestHold.NONE);
        }

        /** A request whose reports name the image by its own name. */
        public Request(GuestFactory machines, MachineConfig config, GuestImage image, StartTrigger trigger,
                       MigrationConfig migration, MigrationClient client, InetSocketAddress destination,
                       long replyTimeoutMillis) {
            this(machines, config, image, image.name(), trigger, migration, client, destination, replyTimeoutMillis);
        }

        public Request {
            Objects.requireNonNull(imageLabel, "imageLabel");
            Objects.requireNonNull(machines, "machines");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(trigger, "trigger");
            Objects.requireNonNull(migration, "migration");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(destination, "destination");
            if (holdAt < GuestHold.NONE) {
                throw new IllegalArgumentException("a negative hold point: " + holdAt);
            }
            if (holdAt != GuestHold.NONE && trigger instanceof StartTrigger.AtProgress at && holdAt < at.units()) {
                // The guest would park before it got to the trigger, and the migration would never start.
                throw new IllegalArgumentException("the hold point " + holdAt + " lies before the start at progress "
                        + at.units());
            }
        }

        /** The same request, its guest parked at {@code units} of progress until the migration is over. */
        public Request withHoldAt(long units) {
            return new Request(machines, config, image, imageLabel, trigger, migration, client, destination,
                    replyTimeoutMillis, units);
        }
    }

    /** Told of each step, on the calling thread. Every method has a do-nothing default. */
    public interface Observer {
        /** The guest is built but not started: the moment to echo its console or watch its progress. */
        default void booted(Migratable guest) {
        }

        /** The guest ended before the trigger. */
        default void endedBeforeMigration(long progressUnits) {
        }

        /** The trigger fired at {@code progressUnits}; the migration starts, its live statistics in {@code progress}. */
        default void migrating(long progressUnits, MigrationProgress progress) {
        }

        /**
         * Attempt {@code retry} of {@code of} starts after {@code backoffMillis}: the last one failed with the
         * guest still here ({@code failed}), and the guest runs on meanwhile.
         */
        default void retrying(int retry, int of, long backoffMillis, MigrationReport failed) {
        }

        /** The migration ended (completed or not); {@code report} is what the outcome carries. */
        default void migrated(MigrationReport report) {
        }
    }

    private OutgoingMigration() {
    }

    public static SourceOutcome run(Request request, Observer observer) throws InterruptedException {
        return run(request, observer, OwnershipJournal.NONE);
    }

    /** As {@link #run(Request, Observer)}, journaling the migration's ownership transitions. */
    public static SourceOutcome run(Request request, Observer observer, OwnershipJournal journal)
            throws InterruptedException {
        return run(request, observer, journal, Retries.NONE, StepGate.OPEN);
    }

    /**
     * As {@link #run(Request, Observer, OwnershipJournal)}, starting the migration again (a new session, a new
     * migration id) when it failed while the guest was still this side's, as {@code retries} says.
     */
    public static SourceOutcome run(Request request, Observer observer, OwnershipJournal journal, Retries retries)
            throws InterruptedException {
        return run(request, observer, journal, retries, StepGate.OPEN);
    }

    /** As above, the session thread asking {@code steps} at each step point (step mode). */
    public static SourceOutcome run(Request request, Observer observer, OwnershipJournal journal, Retries retries,
                                    StepGate steps)
            throws InterruptedException {
        return run(request, observer, journal, retries, steps, new OperatorFence(), CheckpointSink.NONE);
    }

    /**
     * As above, the operator's rollback fence reaching each session through {@code fence}, and each session
     * saving its checkpoint to {@code checkpoints} before SWITCH_OVER goes out (a source state directory; the
     * request's machines then keep guest RAM there too).
     */
    public static SourceOutcome run(Request request, Observer observer, OwnershipJournal journal, Retries retries,
                                    StepGate steps, OperatorFence fence, CheckpointSink checkpoints)
            throws InterruptedException {
        try (Migratable guest = request.machines().boot(request.config(), request.image())) {
            observer.booted(guest);
            CompletableFuture<Void> trigger = request.trigger().armOn(guest);
            // Armed before the guest starts, so that it parks exactly at its point (on the vCPU thread).
            GuestHold hold = GuestHold.arm(guest, request.holdAt());
            long guestStart = System.nanoTime();
            guest.start();
            await(CompletableFuture.anyOf(trigger, guest.ended()));
            if (!trigger.isDone()) {
                hold.release(false); // the guest ended: nothing to let go
                observer.endedBeforeMigration(guest.progress().units());
                return new SourceOutcome.EndedBeforeMigration(endHere(guest, guestStart));
            }
            long progressAtStart = guest.progress().units();
            long migrationStart = System.nanoTime();
            steps.migrating(stepped(guest)); // step mode parks the guest while it holds the migration
            SourceSession session;
            MigrationReport report;
            for (int retry = 0; ; retry++) {
                session = new SourceSession(guest, request.imageLabel(), request.migration(),
                        request.client(), request.destination(), request.replyTimeoutMillis());
                session.journal(journal);
                session.steps(steps);
                session.fence(fence);
                session.checkpoints(checkpoints);
                observer.migrating(guest.progress().units(), session.progress());
                report = session.migrate();
                if (report.completed() || session.destinationTookGuest() || retry >= retries.count()
                        || guest.ended().isDone()) {
                    break;
                }
                long backoff = retries.backoffMillis(retry + 1);
                observer.retrying(retry + 1, retries.count(), backoff, report);
                if (endsWithin(guest, backoff)) {
                    break; // the guest ended here while it waited: nothing left to migrate
                }
            }
            hold.release(!report.completed() && !session.destinationTookGuest());
            steps.over(!report.completed() && !session.destinationTookGuest());
            double before = rate(progressAtStart, migrationStart - guestStart);
            report = report.withProgress(new MigrationReport.ProgressRates(before, report.progress().during(),
                    report.progress().after(), hold.parkedAt()));
            observer.migrated(report);
            if (report.completed()) {
                return new SourceOutcome.Migrated(report);
            }
            if (session.destinationTookGuest()) {
                return new SourceOutcome.Failed(report, Optional.empty());
            }
            return new SourceOutcome.Failed(report, Optional.of(endHere(guest, guestStart)));
        }
    }

    /** The guest as step mode sees it. */
    private static SteppedGuest stepped(Migratable guest) {
        return new SteppedGuest() {
            @Override
            public void park(boolean parked) {
                guest.park(parked);
            }

            @Override
            public long progressUnits() {
                return guest.progress().units();
            }

            @Override
            public CompletableFuture<Void> progressReached(long units) {
                return guest.progressReached(units);
            }

            @Override
            public CompletableFuture<?> ended() {
                return guest.ended();
            }
        };
    }

    /**
     * Whether the guest ends within {@code millis} (the wait between two attempts, or between two migrations
     * of {@link BackToBackMigration}); a failed vCPU counts as an end, which the guest's end future then tells.
     */
    static boolean endsWithin(Migratable guest, long millis) throws InterruptedException {
        try {
            guest.ended().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // the vCPU failed: endHere says how
        }
    }

    /** Waits for the guest's end on this side and reads what it left. */
    private static SourceOutcome.EndedHere endHere(Migratable guest, long guestStart) throws InterruptedException {
        GuestEnd end = await(guest.ended());
        long wallNanos = System.nanoTime() - guestStart;
        GuestSummary summary = await(guest.summary());
        return new SourceOutcome.EndedHere(end, summary, wallNanos);
    }

    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the guest's vCPU failed: " + e.getCause(), e.getCause());
        }
    }

    private static double rate(long units, long nanos) {
        return nanos <= 0 ? Double.NaN : units * 1e9 / nanos;
    }
}
