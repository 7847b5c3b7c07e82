package org.migrationlab.migration.step;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A paused stepper holds the session thread at step points and lets exactly one step through per advance. */
@Timeout(20)
class StepperTest {
    @Test
    void runningLetsEveryStepThrough() throws InterruptedException {
        Stepper stepper = new Stepper(false);
        for (int i = 0; i < 5; i++) {
            stepper.pass(Step.PRECOPY_ROUND);
        }
        assertThat(stepper.passed()).isEqualTo(5);
    }

    @Test
    void pausedHoldsUntilAnAdvanceRunsToTheNextStepOfItsKind() throws Exception {
        Stepper stepper = new Stepper(true);
        AtomicInteger rounds = new AtomicInteger();
        CompletableFuture<Void> session = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 3; i++) {
                    stepper.pass(Step.PRECOPY_ROUND);
                    rounds.incrementAndGet();
                }
                stepper.pass(Step.PREPAGE_BATCH);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(stepper.awaitHeld(5_000)).isEqualTo(Step.PRECOPY_ROUND);
        assertThat(rounds).hasValue(0);

        stepper.command(new StepCommand.Advance(Step.PRECOPY_ROUND));
        awaitPassed(stepper, 1);
        assertThat(stepper.awaitHeld(5_000)).isEqualTo(Step.PRECOPY_ROUND);
        assertThat(rounds).as("one advance, one round").hasValue(1);
        Thread.sleep(100);
        assertThat(stepper.passed()).as("held without a command").isEqualTo(1);

        stepper.command(new StepCommand.Advance(Step.PREPAGE_BATCH)); // runs the rounds on to the batch
        session.get(5, TimeUnit.SECONDS);
        assertThat(rounds).hasValue(3);
        assertThat(stepper.passed()).isEqualTo(4);
        assertThat(stepper.waitingAt()).isNull();
    }

    @Test
    void aGuestSliceNeverReleasesTheSessionThread() throws Exception {
        Stepper stepper = new Stepper(true);
        CompletableFuture<Void> session = CompletableFuture.runAsync(() -> {
            try {
                stepper.pass(Step.PRECOPY_ROUND);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(stepper.awaitHeld(5_000)).isEqualTo(Step.PRECOPY_ROUND);
        stepper.command(new StepCommand.Advance(Step.GUEST_SLICE)); // no guest to step: nothing happens
        Thread.sleep(100);
        assertThat(stepper.passed()).isZero();
        assertThat(stepper.waitingAt()).isEqualTo(Step.PRECOPY_ROUND);
        assertThat(stepper.lastSlice()).isNull();
        stepper.command(new StepCommand.Run());
        session.get(5, TimeUnit.SECONDS);
    }

    /**
     * The guest runs while the migration moves: parked while the session thread is held, let go by an advance,
     * parked again as the session thread comes to hold at the next point, let go for good by run.
     */
    @Test
    void theGuestRunsExactlyWhileTheMigrationMoves() throws Exception {
        Stepper stepper = new Stepper(true);
        ParkLog guest = new ParkLog();
        stepper.migrating(guest);
        assertThat(guest.parks).as("paused at the start: parked").containsExactly(true);
        AtomicInteger rounds = new AtomicInteger();
        CompletableFuture<Void> session = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 3; i++) {
                    stepper.pass(Step.PRECOPY_ROUND);
                    rounds.incrementAndGet();
                    guest.record("round " + i + (guest.parked() ? " parked" : " running"));
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(stepper.awaitHeld(5_000)).isEqualTo(Step.PRECOPY_ROUND);
        stepper.command(new StepCommand.Advance(Step.PRECOPY_ROUND));
        awaitPassed(stepper, 1);
        assertThat(stepper.awaitHeld(5_000)).isEqualTo(Step.PRECOPY_ROUND);
        assertThat(guest.events).as("round 0 ran with the guest running").containsExactly("round 0 running");
        assertThat(guest.parked()).as("held before round 1: parked again").isTrue();

        stepper.command(new StepCommand.Run());
        session.get(5, TimeUnit.SECONDS);
        assertThat(guest.parked()).isFalse();
        assertThat(guest.events).containsExactly("round 0 running", "round 1 running", "round 2 running");
        assertThat(guest.changes()).as("parked, let go, parked, let go (a park repeated changes nothing)")
                .containsExactly(true, false, true, false);
    }

    /** A guest that only records how it was parked. */
    private static final class ParkLog implements SteppedGuest {
        final java.util.List<Boolean> parks = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        boolean parked() {
            return !parks.isEmpty() && parks.getLast();
        }

        /** The parks that changed something: repeats of the same state left out. */
        java.util.List<Boolean> changes() {
            java.util.List<Boolean> changes = new java.util.ArrayList<>();
            for (Boolean park : parks) {
                if (changes.isEmpty() || !changes.getLast().equals(park)) {
                    changes.add(park);
                }
            }
            return changes;
        }

        void record(String event) {
            events.add(event);
        }

        @Override
        public void park(boolean parked) {
            parks.add(parked);
        }

        @Override
        public long progressUnits() {
            return 0;
        }

        @Override
        public CompletableFuture<Void> progressReached(long units) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<?> ended() {
            return new CompletableFuture<>();
        }
    }

    @Test
    void theGuestSliceIsNamedGuestSlice() {
        assertThat(Step.GUEST_SLICE.label()).isEqualTo("guest-slice");
        assertThat(Step.ofLabel("guest-slice")).isEqualTo(Step.GUEST_SLICE);
        assertThat(new Stepper(true).sliceUnits()).isEqualTo(Stepper.DEFAULT_SLICE_UNITS);
    }

    private static void awaitPassed(Stepper stepper, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stepper.passed() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(stepper.passed()).isEqualTo(n);
    }
}
