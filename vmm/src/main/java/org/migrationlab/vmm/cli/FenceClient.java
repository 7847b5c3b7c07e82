package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** {@code vmm rollback}'s end of the {@link FenceSocket}: one request line out, one answer line back. */
final class FenceClient {
    /** The answer carries the source's reason, one line but of any length an exception may give. */
    private static final int MAX_ANSWER = 64 * 1024;
    /** How long {@code vmm rollback} waits beyond the source's own bound before it gives up. */
    private static final long ASK_MARGIN_MILLIS = TimeUnit.SECONDS.toMillis(10);

    private FenceClient() {
    }

    /**
     * {@code vmm rollback}'s end: sends {@code request} (one line) to the source listening on {@code socket} and
     * returns its answer line, or null when it closed without one.
     *
     * @throws IOException when nothing listens there, or no answer came in time
     */
    static String ask(Path socket, String request) throws IOException, InterruptedException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fence-client", true),
                NioIoHandler.newFactory());
        try {
            CompletableFuture<String> answer = new CompletableFuture<>();
            ChannelFuture connect = new Bootstrap().group(loop).channel(NioDomainSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            FenceSocket.lines(ch.pipeline(), MAX_ANSWER).addLast(new SimpleChannelInboundHandler<String>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                    answer.complete(line);
                                    ctx.close();
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    answer.complete(null);
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    answer.completeExceptionally(cause);
                                    ctx.close();
                                }
                            });
                        }
                    }).connect(UnixDomainSocketAddress.of(socket)).await();
            if (!connect.isSuccess()) {
                throw connect.cause() instanceof IOException io ? io : new IOException(connect.cause());
            }
            connect.channel().writeAndFlush(request + "\n");
            try {
                return answer.get(FenceSocket.ANSWER_MILLIS + ASK_MARGIN_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("no answer within " + (FenceSocket.ANSWER_MILLIS + ASK_MARGIN_MILLIS) + " ms");
            } finally {
                connect.channel().close();
            }
        } finally {
            loop.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(3_000);
        }
    }
}
