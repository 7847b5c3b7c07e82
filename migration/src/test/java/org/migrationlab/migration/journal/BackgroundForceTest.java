package org.migrationlab.migration.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Disk flushes off the writer's thread: never waited for by a write, coalesced, failures not lost. */
@Timeout(30)
class BackgroundForceTest {

    /** A flush that blocks until released and counts itself. */
    private static final class HeldFlush implements BackgroundForce.Flush {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void force() throws IOException {
            flushes.incrementAndGet();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
    }

    @Test
    void aRequestReturnsWhileTheFlushIsStillRunning() throws Exception {
        HeldFlush flush = new HeldFlush();
        try (BackgroundForce force = new BackgroundForce("test-force", flush)) {
            force.request();
            assertThat(flush.started.await(10, TimeUnit.SECONDS)).as("the flush started").isTrue();
            force.request(); // the first flush is stuck: this one must not wait for it
            assertThat(flush.release.getCount()).as("still held").isOne();
            flush.release.countDown();
            force.awaitFlushed();
        }
    }

    @Test
    void requestsDuringAFlushShareTheNextOne() throws Exception {
        HeldFlush flush = new HeldFlush();
        try (BackgroundForce force = new BackgroundForce("test-force", flush)) {
            force.request();
            assertThat(flush.started.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 1000; i++) {
                force.request();
            }
            flush.release.countDown();
            force.awaitFlushed();
            assertThat(flush.flushes).as("the first, then one for the thousand that came during it").hasValue(2);
        }
    }

    @Test
    void closeFlushesWhatIsPending() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        BackgroundForce force = new BackgroundForce("test-force", flushes::incrementAndGet);
        force.request();
        force.close();
        assertThat(flushes).hasPositiveValue();
        assertThatThrownBy(force::request).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailedFlushFailsTheNextRequestAndClose() throws Exception {
        BackgroundForce force = new BackgroundForce("test-force", () -> {
            throw new IOException("No space left on device");
        });
        force.request();
        assertThatThrownBy(force::awaitFlushed).isInstanceOf(IOException.class).hasMessage("No space left on device");
        assertThatThrownBy(force::request).isInstanceOf(IOException.class).hasMessage("No space left on device");
        assertThatThrownBy(force::close).isInstanceOf(IOException.class).hasMessage("No space left on device");
    }

    /** A held gate keeps the flush back until it is released: none runs inside a switch-over. */
    @Test
    void aHeldGateDelaysTheFlushUntilItIsReleased() throws Exception {
        FlushGate gate = new FlushGate();
        CountDownLatch flushed = new CountDownLatch(1);
        try (BackgroundForce force = new BackgroundForce("test-force", flushed::countDown, gate)) {
            gate.hold();
            force.request();
            assertThat(flushed.await(300, TimeUnit.MILLISECONDS)).as("no flush while held").isFalse();
            gate.release();
            assertThat(flushed.await(10, TimeUnit.SECONDS)).as("flushed once released").isTrue();
        }
    }

    /** A hold nobody releases delays a flush by at most {@link FlushGate#MAX_HOLD_MILLIS}. */
    @Test
    void aForgottenHoldDelaysTheFlushBoundedly() throws Exception {
        FlushGate gate = new FlushGate();
        AtomicInteger flushes = new AtomicInteger();
        try (BackgroundForce force = new BackgroundForce("test-force", flushes::incrementAndGet, gate)) {
            gate.hold();
            long started = System.nanoTime();
            force.request();
            force.awaitFlushed();
            assertThat(flushes).hasValue(1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(FlushGate.MAX_HOLD_MILLIS - 50);
        }
    }

    /** Two switch-overs at once (a daemon's migrations): the flush waits until both released their hold. */
    @Test
    void theFlushWaitsForEveryHoldToBeReleased() throws Exception {
        FlushGate gate = new FlushGate();
        CountDownLatch flushed = new CountDownLatch(1);
        try (BackgroundForce force = new BackgroundForce("test-force", flushed::countDown, gate)) {
            gate.hold();
            gate.hold();
            force.request();
            gate.release();
            assertThat(flushed.await(300, TimeUnit.MILLISECONDS)).as("no flush while one hold is left").isFalse();
            gate.release();
            assertThat(flushed.await(10, TimeUnit.SECONDS)).as("flushed once both were released").isTrue();
        }
    }

    /** A release without its hold is a bug in the caller, not a second switch-over's end. */
    @Test
    void aReleaseWithoutAHoldIsRefused() {
        FlushGate gate = new FlushGate();
        gate.hold();
        gate.release();
        assertThatThrownBy(gate::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("not held");
    }
}
