package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * An aborting side does not close at once: a peer still writing pages would get a reset and never read
 * why. The ABORT leaves, the connection stays open for the grace with everything that arrives dropped
 * unread, then closes; a peer that hangs up first ends it sooner.
 */
class AbortAndDrainTest {
    private static final MigrationRecord.Abort ABORT = new MigrationRecord.Abort(AbortReason.BAD_CRC, "page 7");

    @Test
    void theAbortLeavesAndTheConnectionDrainsUntilTheGraceEnds() {
        List<Object> delivered = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new Recorder(delivered));
        channel.freezeTime();

        AbortAndDrain.abort(channel, ABORT);
        channel.runPendingTasks();

        assertThat((Object) channel.readOutbound()).isEqualTo(ABORT);
        assertThat(channel.isActive()).as("open while the peer may still be writing").isTrue();

        ByteBuf late = Unpooled.buffer().writeLong(42);
        channel.writeInbound(late);
        assertThat(late.refCnt()).as("released unread").isZero();
        assertThat(delivered).as("nothing reaches the session after the abort").isEmpty();

        channel.advanceTimeBy(AbortAndDrain.GRACE_MILLIS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).as("closed at the end of the grace").isFalse();
    }

    @Test
    void aSecondAbortSendsNothingMore() {
        EmbeddedChannel channel = new EmbeddedChannel(new Recorder(new ArrayList<>()));
        AbortAndDrain.abort(channel, ABORT);
        AbortAndDrain.abort(channel, new MigrationRecord.Abort(AbortReason.CANCELLED, "again"));
        channel.runPendingTasks();

        assertThat((Object) channel.readOutbound()).isEqualTo(ABORT);
        assertThat((Object) channel.readOutbound()).isNull();
        channel.close();
    }

    @Test
    void aClosedChannelIsLeftAlone() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.close();
        AbortAndDrain.abort(channel, ABORT);
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final List<Object> delivered;

        Recorder(List<Object> delivered) {
            this.delivered = delivered;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            delivered.add(msg);
        }
    }
}
