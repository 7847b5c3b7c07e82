package org.migrationlab.migration.postcopy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.port.AbsentPageHandler.Resolution;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.progress.ArrivalObserver;

/**
 * The destination's live view hears of each post-copy page's fate: arrived, then touched (a minor fault);
 * or awaited by a network fault, then fetched with its latency. A view fed nothing would stay empty.
 */
class ArrivalObserverTest {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch awaiting = new CountDownLatch(1);
    private final ArrivalObserver recorder = new ArrivalObserver() {
        @Override
        public void arrived(long page) {
            events.add("arrived " + page);
        }

        @Override
        public void awaiting(long page) {
            events.add("awaiting " + page);
            awaiting.countDown();
        }

        @Override
        public void fetched(long page, long latencyNanos) {
            assertThat(latencyNanos).isPositive();
            events.add("fetched " + page);
        }

        @Override
        public void touched(long page) {
            events.add("touched " + page);
        }
    };

    @Test
    void aPageThatArrivedBeforeItsFaultIsTouched() {
        PageBitmap pending = new PageBitmap(8);
        pending.set(3);
        IncomingPages incoming = new IncomingPages(pending, recorder);
        PostcopyFaults faults = new PostcopyFaults(incoming, null, 10_000, recorder);
        assertThat(incoming.claim(3)).isTrue();
        assertThat(incoming.arrive(3)).isTrue();
        assertThat(faults.onAbsentPage(3)).isEqualTo(Resolution.MAP);
        assertThat(events).containsExactly("arrived 3", "touched 3");
    }

    @Test
    void aNetworkFaultIsAwaitedThenFetched() throws Exception {
        PageBitmap pending = new PageBitmap(8);
        pending.set(5);
        IncomingPages incoming = new IncomingPages(pending, recorder);
        PostcopyFaults faults = new PostcopyFaults(incoming, null, 10_000, recorder);
        incoming.markRequested(5); // already requested: the fault sends nothing, so it needs no channel
        CompletableFuture<Resolution> fault = CompletableFuture.supplyAsync(() -> faults.onAbsentPage(5));
        assertThat(awaiting.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(incoming.claim(5)).isTrue();
        assertThat(incoming.arrive(5)).isTrue();
        assertThat(fault.get(10, TimeUnit.SECONDS)).isEqualTo(Resolution.MAP);
        assertThat(events).containsExactly("awaiting 5", "arrived 5", "fetched 5");
        assertThat(faults.stats().networkFaults()).isEqualTo(1);
    }
}
