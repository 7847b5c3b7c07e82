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
