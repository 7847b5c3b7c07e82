package org.migrationlab.migration.transport;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * Ends a connection with an ABORT the peer gets to read. Closing at once would make the kernel answer the
 * peer's bytes still in flight with a reset, and a peer busy writing pages would then see only "broken pipe",
 * never why. So the connection stays open for a short grace: the ABORT leaves, everything that still arrives
 * is released unread, and it closes when the peer hangs up or the grace ends, whichever comes first.
 */
final class AbortAndDrain {
    static final long GRACE_MILLIS = 1_000;
    private static final String DRAIN = "abort-drain";

    private AbortAndDrain() {
    }

    /** Sends {@code abort} and closes after the grace; a no-op on a closed channel. Any thread. */
    static void abort(Channel channel, MigrationRecord.Abort abort) {
        if (!channel.isActive()) {
            return;
        }
        channel.eventLoop().execute(() -> {
            if (!channel.isActive() || channel.pipeline().get(DRAIN) != null) {
                return; // closed meanwhile, or already aborting
            }
            channel.pipeline().addFirst(DRAIN, new Drain());
            channel.writeAndFlush(abort).addListener(sent -> {
                if (!sent.isSuccess()) {
                    channel.close();
                }
            });
            // A peer that reads nothing must not keep the connection open behind an ABORT that cannot leave.
            channel.eventLoop().schedule(() -> channel.close(), GRACE_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** First in the pipeline once aborting: nothing that arrives is decoded or reaches a session again. */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the peer reset the connection: nothing left to say
        }
    }
}
