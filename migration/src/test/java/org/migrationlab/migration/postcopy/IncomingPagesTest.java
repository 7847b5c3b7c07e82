package org.migrationlab.migration.postcopy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.port.PageBitmap;

/**
 * Two copies of one post-copy page (a push on the bulk connection, a demanded copy on the urgent one)
 * race on two event loops: exactly one may write the page, and only it may record the arrival.
 */
class IncomingPagesTest {
    @Test
    void exactlyOneOfManyCopiesClaimsAPage() throws Exception {
        PageBitmap pending = new PageBitmap(64);
        pending.setRange(1, 64);
        IncomingPages pages = new IncomingPages(pending);
        int copies = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        try {
            List<Future<Integer>> claims = new ArrayList<>();
            for (int c = 0; c < copies; c++) {
                claims.add(pool.submit(() -> {
                    start.await();
                    int won = 0;
                    for (long page = 1; page < 64; page++) {
                        if (pages.claim(page)) {
                            won++;
                        }
                    }
                    return won;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> claim : claims) {
                total += claim.get(10, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(63);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onlyAClaimedPageArrivesAndOnlyOnce() {
        PageBitmap pending = new PageBitmap(8);
        pending.set(3);
        IncomingPages pages = new IncomingPages(pending);
        assertThat(pages.arrive(3)).as("not claimed").isFalse();
        assertThat(pages.claim(4)).as("not pending").isFalse();
        assertThat(pages.claim(3)).isTrue();
        assertThat(pages.claim(3)).as("a second copy").isFalse();
        assertThat(pages.arrive(3)).isTrue();
        assertThat(pages.arrive(3)).isFalse();
        assertThat(pages.allArrived()).isTrue();
    }
}
