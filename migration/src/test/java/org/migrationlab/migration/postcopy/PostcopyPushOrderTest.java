package org.migrationlab.migration.postcopy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageSink;
import org.migrationlab.migration.pages.PageEncoder;
import org.migrationlab.migration.pages.PageSender;
import org.migrationlab.migration.pages.SentPages;
import org.migrationlab.migration.postcopy.prepage.Direction;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategies;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.testing.ForwardingMigratable;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.EmbeddedPeers;

/**
 * The engine's push hands each demand fault to the prepaging strategy: after the destination faulted on
 * page P (served by demand), the pages the push sends next grow around P — P+1, P−1, P+2, P−2, … with a dual
 * bubble; P+1, P+2, … to the end with a forward-only one, then the engine's sweep from page 0. The strategies'
 * own tests check them alone; this one fails if the push stops telling its strategy about faults.
 */
class PostcopyPushOrderTest {
    private static final long PAGES = 256;
    private static final long FAULT = 100;

    @Test
    void aDualBubbleGrowsBothWaysAroundTheFault() throws Exception {
        List<Long> order = pushAfterFault("bubble", Direction.DUAL);
        List<Long> expected = new ArrayList<>();
        for (long d = 1; d <= FAULT; d++) {
            expected.add(FAULT + d);
            expected.add(FAULT - d);
        }
        LongStream.range(2 * FAULT + 1, PAGES).forEach(expected::add);
        assertThat(order.subList(0, 8)).containsExactly(101L, 99L, 102L, 98L, 103L, 97L, 104L, 96L);
        assertThat(order).containsExactlyElementsOf(expected);
    }

    @Test
    void aForwardOnlyBubbleRunsUpFromTheFaultThenTheEngineSweepsFromZero() throws Exception {
        List<Long> order = pushAfterFault("bubble", Direction.FORWARD);
        List<Long> expected = new ArrayList<>();
        LongStream.range(FAULT + 1, PAGES).forEach(expected::add);
        LongStream.range(0, FAULT).forEach(expected::add);
        assertThat(order).containsExactlyElementsOf(expected);
    }

    /** Multi-pivot bubbling keeps its first pivot (page 0) beside the fault's, and serves the new one first. */
    @Test
    void multiPivotBubblingServesTheFaultsPivotFirst() throws Exception {
        assertThat(pushAfterFault("multi-pivot", Direction.DUAL)).startsWith(101L, 99L);
        assertThat(pushAfterFault("multi-pivot", Direction.FORWARD)).startsWith(101L);
    }

    /**
     * Pushes every page of a guest whose destination already faulted on {@link #FAULT} (its page server
     * sent it by demand and queued it as a pivot), and returns the pages in the order the push wrote them.
     */
    private static List<Long> pushAfterFault(String strategy, Direction direction) throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        try (Migratable guest = zeroGuest()) {
            SentPages sent = new SentPages(PAGES);
            MigrationProgress progress = new MigrationProgress(PAGES);
            PageEncoder encoder = new PageEncoder(guest, sent, progress);
            PageServer server = new PageServer(encoder, sent, progress, PageCodec.Compression.NONE);
            assertThat(sent.markSent(FAULT)).isTrue(); // as the page server does when it answers the fault
            server.faults().add(FAULT);
            try (PageSender sender = new PageSender(encoder, EmbeddedPeers.bulk(channel), PageCodec.Compression.NONE,
                    true, 10_000, () -> { })) {
                new PostcopyPush(sent, server, progress, () -> { }).run(
                        PrepageStrategies.create(strategy, direction), SendReason.PREPAGE, sender);
            }
            List<Long> order = new ArrayList<>();
            for (Object out; (out = channel.readOutbound()) != null; ) {
                MigrationRecord.PageBatch batch = (MigrationRecord.PageBatch) out;
                try {
                    for (long page : batch.pageNumbers()) {
                        order.add(page);
                    }
                } finally {
                    batch.release();
                }
            }
            assertThat(order).as("every page but the faulted one, once").hasSize((int) PAGES - 1)
                    .doesNotHaveDuplicates().doesNotContain(FAULT);
            return order;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * A guest whose pages all read as zero pages, without touching the (smallest) machine behind it; the push
     * moves only its first {@link #PAGES}.
     */
    private static Migratable zeroGuest() {
        Migratable machine = LoopbackMigration.MACHINES.empty(LoopbackMigration.config(4L << 20, "incrementer", 1));
        return new ForwardingMigratable(machine) {
            @Override
            public void readPage(long page, PageSink sink) {
                sink.zeroPage(page);
            }
        };
    }
}
