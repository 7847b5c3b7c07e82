package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The emulated link sends at its rate exactly: a message leaves when the link has sent the ones before it,
 * however late the event loop wakes, and the queue behind it is bounded by the channel's writability.
 */
class LinkShaperTest {
    /** 1 Gbit/s: a 125,000-byte message takes exactly 1 ms on the link. */
    private static final long BYTES_PER_SECOND = 125_000_000;
    private static final int MESSAGE = 125_000;

    @Test
    void aMessageLeavesWhenTheLinkHasSentItsLastByteAndNoBurstRunsAhead() {
        EmbeddedChannel channel = shapedChannel();
        for (int i = 0; i < 10; i++) {
            channel.writeAndFlush(message(i));
        }
        assertThat(drainOutbound(channel)).as("nothing has crossed the link yet").isEmpty();

        channel.advanceTimeBy(999, TimeUnit.MICROSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(drainOutbound(channel)).as("the link is still sending the first").isEmpty();

        channel.advanceTimeBy(1, TimeUnit.MICROSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(drainOutbound(channel)).containsExactly(0);

        // An event loop that wakes 5.5 ms late hands over what the link sent meanwhile, not more.
        channel.advanceTimeBy(5_500, TimeUnit.MICROSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(drainOutbound(channel)).containsExactly(1, 2, 3, 4, 5);

        channel.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(drainOutbound(channel)).containsExactly(6, 7, 8, 9);
        channel.finishAndReleaseAll();
    }

    @Test
    void anIdleLinkStartsWhenAMessageArrivesNotWhenItLastSent() {
        EmbeddedChannel channel = shapedChannel();
        channel.writeAndFlush(message(0));
        channel.advanceTimeBy(50, TimeUnit.MILLISECONDS); // idle for 49 ms after the first
        channel.runScheduledPendingTasks();
        assertThat(drainOutbound(channel)).containsExactly(0);

        channel.writeAndFlush(message(1));
        channel.writeAndFlush(message(2));
        assertThat(drainOutbound(channel)).as("no credit saved up while idle").isEmpty();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(drainOutbound(channel)).containsExactly(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void aFullQueueMakesTheChannelUnwritableUntilHalfOfItHasGone() {
        EmbeddedChannel channel = shapedChannel();
        LinkShaper shaper = channel.pipeline().get(LinkShaper.class);
        int messages = (int) (shaper.highWaterBytes() / MESSAGE) + 1;
        for (int i = 0; i < messages; i++) {
            channel.writeAndFlush(message(i));
        }
        assertThat(channel.isWritable()).as("more than the high-water mark queued").isFalse();

        long halfInMillis = (shaper.highWaterBytes() / 2) / MESSAGE + 3;
        channel.advanceTimeBy(halfInMillis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isWritable()).as("half of the queue has gone").isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void closeWaitsForTheQueueSoALastAbortStillLeaves() {
        EmbeddedChannel channel = shapedChannel();
        channel.writeAndFlush(message(0));
        ByteBuf last = message(1);
        channel.writeAndFlush(last);
        ChannelFuture closed = channel.pipeline().close(); // EmbeddedChannel.close() would cancel the timers
        assertThat(closed.isDone()).as("the last message is still queued").isFalse();

        channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        assertThat(closed.isSuccess()).as("closed once the queue has gone").isTrue();
        assertThat(drainOutbound(channel)).containsExactly(0, 1);
    }

    @Test
    void aClosedChannelReleasesWhatItHadQueued() {
        EmbeddedChannel channel = shapedChannel();
        ByteBuf queued = message(1);
        ChannelFuture write = channel.writeAndFlush(queued);
        channel.pipeline().remove(LinkShaper.class);

        assertThat(queued.refCnt()).isZero();
        assertThat(write.isSuccess()).isFalse();
        channel.finishAndReleaseAll();
    }

    private static EmbeddedChannel shapedChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new LinkShaper(BYTES_PER_SECOND));
        return channel;
    }

    private static ByteBuf message(int id) {
        ByteBuf buf = Unpooled.buffer(MESSAGE);
        buf.writeInt(id).writerIndex(MESSAGE);
        return buf;
    }

    private static List<Integer> drainOutbound(EmbeddedChannel channel) {
        List<Integer> ids = new ArrayList<>();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            ids.add(out.getInt(0));
            out.release();
        }
        return ids;
    }
}
