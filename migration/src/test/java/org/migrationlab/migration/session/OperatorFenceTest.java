package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class OperatorFenceTest {
    private static final UUID PAUSED = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @Test
    void aFenceOutsidePostcopyPausedIsRefusedAtOnceSayingWhy() throws InterruptedException {
        OperatorFence.Answer answer = new OperatorFence().request(Optional.empty(), "test", 10_000);
        assertThat(answer).isInstanceOfSatisfying(OperatorFence.Answer.Refused.class,
                refused -> assertThat(refused.why()).contains("no migration of this source is in postcopy-paused"));
    }

    @Test
    void aFenceForAnotherMigrationIsRefused() throws InterruptedException {
        OperatorFence fence = new OperatorFence();
        fence.hold(PAUSED);
        OperatorFence.Answer answer = fence.request(Optional.of(UUID.randomUUID()), "test", 10_000);
        assertThat(answer).isInstanceOfSatisfying(OperatorFence.Answer.Refused.class,
                refused -> assertThat(refused.why()).contains("is not the one this source has paused"));
    }

    @Test
    void aRedialWaitingInItsBackoffTakesTheFenceAndItsAnswerReachesTheOperator() throws Exception {
        OperatorFence fence = new OperatorFence();
        fence.hold(PAUSED);
        CompletableFuture<OperatorFence.Answer> operator = CompletableFuture.supplyAsync(() -> {
            try {
                return fence.request(Optional.of(PAUSED), "machine gone", 10_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // A backoff far longer than the test: the request, not the time, ends the wait.
        OperatorFence.Request taken = fence.await(TimeUnit.SECONDS.toNanos(60));
        assertThat(taken).isNotNull();
        assertThat(taken.reason()).isEqualTo("machine gone");
        taken.answer().complete(new OperatorFence.Answer.RolledBack(PAUSED, "done"));
        assertThat(operator.get(10, TimeUnit.SECONDS)).isEqualTo(new OperatorFence.Answer.RolledBack(PAUSED, "done"));
        // Taken once: a second fence finds nothing paused.
        assertThat(fence.request(Optional.empty(), "again", 1_000)).isInstanceOf(OperatorFence.Answer.Refused.class);
    }
}
