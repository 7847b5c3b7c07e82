package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * The source's teardown frees the guest's RAM after closing its connections, and pages of post-copy are
 * written from that RAM without a copy: {@link PeerChannel#closeAndSettle} must not return while a write
 * handed over before it has yet to run on the event loop. Here that loop is held inside a first write while
 * a second waits behind it: the settling close times out (its expected result), and once the loop runs on
 * it returns with both writes handled.
 */
@Timeout(60)
class PeerChannelSettleTest {
    @Test
    void closeAndSettleReturnsOnlyOnceEarlierWritesRan() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> handled = new CopyOnWriteArrayList<>();
        try {
            LocalAddress address = new LocalAddress("peer-channel-settle-" + System.nanoTime());
            Channel server = new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
            WritabilityGate gate = new WritabilityGate();
            Channel client = new Bootstrap().group(loops).channel(LocalChannel.class)
                    .handler(new ChannelOutboundHandlerAdapter() {
                        @Override
                        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
                                throws InterruptedException {
                            MigrationRecord.Complete record = (MigrationRecord.Complete) msg;
                            if (record.pagesReceived() == 1) {
                                entered.countDown();
                                release.await(30, TimeUnit.SECONDS); // holds the event loop
                            }
                            handled.add(record.pagesReceived());
                            ReferenceCountUtil.release(msg);
                            promise.setSuccess();
                        }
                    }).connect(address).sync().channel();
            client.pipeline().addFirst(gate);
            PeerChannel peer = new PeerChannel(client, gate, MigrationRecord.Channel.BULK, new ByteCounter());

            peer.sendNow(new MigrationRecord.Complete(1));
            assertThat(entered.await(30, TimeUnit.SECONDS)).as("the loop is inside the first write").isTrue();
            peer.sendNow(new MigrationRecord.Complete(2)); // queued behind it

            assertThat(peer.closeAndSettle(200)).as("not settled while a write waits on the held loop").isFalse();
            assertThat(handled).as("neither write finished").isEmpty();
            release.countDown();
            assertThat(peer.closeAndSettle(30_000)).as("settled").isTrue();
            assertThat(handled).as("both writes ran before the close returned").containsExactly(1L, 2L);
            server.close().sync();
        } finally {
            release.countDown();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
