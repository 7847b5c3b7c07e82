package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;

/**
 * Silence is measured on the event loop's clock: a silent peer ends the connection after the peer timeout,
 * but a check that runs late (this end's loop was starved, and bytes may wait unread in the socket) looks
 * again once the loop has read instead of blaming the peer.
 */
class LivenessHandlerTest {
    private static final long TIMEOUT_MILLIS = 3_000;

    @Test
    void aSilentPeerEndsTheConnectionAfterThePeerTimeout() {
        Fixture f = new Fixture();
        for (long ms = 0; ms < TIMEOUT_MILLIS; ms += 500) {
            f.advance(500);
        }
        assertThat(f.failures).singleElement().satisfies(failure ->
                assertThat(((ProtocolException) failure).reason()).isEqualTo(AbortReason.TIMEOUT));
        assertThat((Object) f.channel.readOutbound()).as("heartbeats sent meanwhile")
                .isInstanceOf(MigrationRecord.Heartbeat.class);
    }

    @Test
    void bytesKeepTheConnectionAlive() {
        Fixture f = new Fixture();
        for (int i = 0; i < 20; i++) {
            f.advance(500);
            f.channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        }
        assertThat(f.failures).isEmpty();
    }

    @Test
    void aCheckThatRunsLateLooksAgainAfterTheLoopHasRead() {
        Fixture f = new Fixture();
        f.advance(5_000); // the loop was starved for 5 s: its checks run only now
        assertThat(f.failures).as("no verdict from a late check").isEmpty();

        f.channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1})); // what waited in the socket
        f.advance(TimeUnit.NANOSECONDS.toMillis(LivenessHandler.RECHECK_NANOS));
        assertThat(f.failures).as("the peer had spoken").isEmpty();
    }

    @Test
    void aLateCheckStillFindsATrulySilentPeerAtTheNextLook() {
        Fixture f = new Fixture();
        f.advance(5_000);
        assertThat(f.failures).isEmpty();
        f.advance(TimeUnit.NANOSECONDS.toMillis(LivenessHandler.RECHECK_NANOS));
        assertThat(f.failures).hasSize(1);
    }

    @Test
    void twiceThePeerTimeoutIsSilenceEvenToALateCheck() {
        Fixture f = new Fixture();
        f.advance(2 * TIMEOUT_MILLIS);
        assertThat(f.failures).as("a loop late at every look still ends a dead peer's connection").hasSize(1);
    }

    private static final class Fixture {
        final List<Throwable> failures = new ArrayList<>();
        final EmbeddedChannel channel;

        Fixture() {
            LivenessHandler liveness = new LivenessHandler(MigrationRecord.Role.SOURCE, TIMEOUT_MILLIS, 0);
            channel = new EmbeddedChannel();
            channel.freezeTime();
            channel.pipeline().addLast(liveness, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    io.netty.util.ReferenceCountUtil.release(msg);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    failures.add(cause);
                }
            });
            liveness.arm(MigrationRecord.Channel.BULK);
        }

        void advance(long millis) {
            channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
        }
    }
}
