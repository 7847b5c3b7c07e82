package org.migrationlab.migration.pages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class SentPagesTest {

    @Property
    void markingARangeMarksExactlyThePagesNotYetSent(@ForAll @IntRange(min = 1, max = 400) int pageCount,
                                                     @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 399) Integer> before,
                                                     @ForAll @IntRange(min = 0, max = 400) int a,
                                                     @ForAll @IntRange(min = 0, max = 400) int b) {
        var sent = new SentPages(pageCount);
        Set<Integer> model = new java.util.TreeSet<>();
        before.stream().filter(p -> p < pageCount).forEach(p -> {
            sent.markSent(p);
            model.add(p);
        });
        int from = Math.min(Math.min(a, b), pageCount);
        int to = Math.min(Math.max(a, b), pageCount);
        long expected = 0;
        for (int p = from; p < to; p++) {
            if (model.add(p)) {
                expected++;
            }
        }
        assertThat(sent.markSentRange(from, to)).isEqualTo(expected);
        assertThat(sent.sentCount()).isEqualTo(model.size());
        for (int p = 0; p < pageCount; p++) {
            assertThat(sent.isSent(p)).as("page %d", p).isEqualTo(model.contains(p));
        }
    }

    /** After a recovery, exactly the pages marked sent that the destination lacks become unsent again. */
    @Test
    void unmarkLostUnsendsExactlyThePagesSentButNotReceived() {
        SentPages sent = new SentPages(130);
        sent.markSentRange(0, 10);   // at the destination before post-copy
        sent.markSent(64);           // sent and received
        sent.markSent(65);           // sent and lost in flight
        sent.markSent(129);          // sent and lost in flight
        org.migrationlab.emulator.port.PageBitmap received = new org.migrationlab.emulator.port.PageBitmap(130);
        received.setRange(0, 10);
        received.set(64);

        org.migrationlab.emulator.port.PageBitmap lost = sent.unmarkLost(received);

        assertThat(lost.cardinality()).isEqualTo(2);
        assertThat(lost.get(65)).isTrue();
        assertThat(lost.get(129)).isTrue();
        assertThat(sent.sentCount()).isEqualTo(11);
        assertThat(sent.isSent(65)).isFalse();
        assertThat(sent.isSent(64)).isTrue();
        assertThat(sent.markSent(65)).as("a lost page can be sent once more").isTrue();
        assertThat(sent.markSent(65)).as("and only once").isFalse();
    }

    @Test
    void marksEachPageOnce() {
        var sent = new SentPages(3);

        assertThat(sent.markSent(1)).isTrue();
        assertThat(sent.markSent(1)).isFalse();
        assertThat(sent.isSent(1)).isTrue();
        assertThat(sent.isSent(0)).isFalse();
        assertThat(sent.sentCount()).isEqualTo(1);
        assertThat(sent.allSent()).isFalse();

        sent.markSent(0);
        sent.markSent(2);
        assertThat(sent.allSent()).isTrue();
        assertThat(sent.nextUnsent(0)).isEqualTo(-1);
    }

    @Test
    void anEmptyGuestIsAllSent() {
        var sent = new SentPages(0);
        assertThat(sent.allSent()).isTrue();
        assertThat(sent.nextUnsent(0)).isEqualTo(-1);
        assertThat(sent.previousUnsent(0)).isEqualTo(-1);
    }

    @Test
    void rejectsPagesOutsideTheGuest() {
        var sent = new SentPages(64);
        assertThatThrownBy(() -> sent.markSent(64)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sent.markSent(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sent.isSent(64)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new SentPages(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void searchesAcrossWordBoundaries() {
        var sent = new SentPages(130);
        for (int page = 0; page < 64; page++) {
            sent.markSent(page);
        }
        assertThat(sent.nextUnsent(0)).isEqualTo(64);
        assertThat(sent.previousUnsent(63)).isEqualTo(-1);
        assertThat(sent.previousUnsent(1_000)).isEqualTo(129);

        for (int page = 64; page < 129; page++) {
            sent.markSent(page);
        }
        assertThat(sent.nextUnsent(0)).isEqualTo(129);
        assertThat(sent.nextUnsent(-7)).isEqualTo(129);
        assertThat(sent.nextUnsent(130)).isEqualTo(-1);
        assertThat(sent.previousUnsent(128)).isEqualTo(-1);
        assertThat(sent.previousUnsent(129)).isEqualTo(129);

        sent.markSent(129);
        assertThat(sent.nextUnsent(0)).isEqualTo(-1);
        assertThat(sent.previousUnsent(129)).isEqualTo(-1);
    }

    @Property(tries = 300)
    void searchesAgreeWithAScan(@ForAll @IntRange(min = 1, max = 300) int pageCount,
                                @ForAll @Size(max = 300) Set<@IntRange(min = 0, max = 299) Integer> marks) {
        var sent = new SentPages(pageCount);
        boolean[] marked = new boolean[pageCount];
        for (int page : marks) {
            if (page < pageCount) {
                sent.markSent(page);
                marked[page] = true;
            }
        }

        for (long from = -2; from < pageCount + 2; from++) {
            long expectedNext = -1;
            for (long page = Math.max(from, 0); page < pageCount; page++) {
                if (!marked[(int) page]) {
                    expectedNext = page;
                    break;
                }
            }
            long expectedPrevious = -1;
            for (long page = Math.min(from, pageCount - 1); page >= 0; page--) {
                if (!marked[(int) page]) {
                    expectedPrevious = page;
                    break;
                }
            }
            assertThat(sent.nextUnsent(from)).as("nextUnsent(%d)", from).isEqualTo(expectedNext);
            assertThat(sent.previousUnsent(from)).as("previousUnsent(%d)", from).isEqualTo(expectedPrevious);
        }
    }

    /** Several senders race over every page, each in its own order: each page is won exactly once. */
    @RepeatedTest(5)
    void concurrentMarkingMarksEachPageExactlyOnce() throws Exception {
        int pageCount = 100_003;
        int threads = 8;
        var sent = new SentPages(pageCount);
        var winners = new AtomicIntegerArray(pageCount);
        var start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> trues = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                long[] order = shuffledPages(pageCount, new Random(thread));
                trues.add(pool.submit(() -> {
                    start.await();
                    long won = 0;
                    for (long page : order) {
                        if (sent.markSent(page)) {
                            winners.incrementAndGet((int) page);
                            won++;
                        }
                    }
                    return won;
                }));
            }
            start.countDown();

            long total = 0;
            for (Future<Long> future : trues) {
                total += future.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(pageCount);
            for (int page = 0; page < pageCount; page++) {
                assertThat(winners.get(page)).as("page %d", page).isEqualTo(1);
            }
            assertThat(sent.sentCount()).isEqualTo(pageCount);
            assertThat(sent.allSent()).isTrue();
            assertThat(sent.nextUnsent(0)).isEqualTo(-1);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static long[] shuffledPages(int pageCount, Random random) {
        long[] pages = new long[pageCount];
        for (int page = 0; page < pageCount; page++) {
            pages[page] = page;
        }
        for (int i = pageCount - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long swap = pages[i];
            pages[i] = pages[j];
            pages[j] = swap;
        }
        return pages;
    }
}
