package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.migrationlab.migration.session.OperatorFence;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * How {@code vmm rollback} reaches a running {@code vmm migrate}: a Unix domain socket in the source's state
 * directory ({@value #FILE}), local to the machine and as private as the directory. One request per
 * connection, one line each way: {@code rollback [ID] REASON} in, {@code rolled-back ID: ...} or
 * {@code refused: ...} out ({@link FenceClient} is the asking end). Both ends are Netty (NIO domain socket channels); the listener has one event-loop
 * thread, and since a fence blocks until the session answers (up to {@link #ANSWER_MILLIS}), each request is
 * answered on a virtual thread of its own, never on the event loop.
 */
final class FenceSocket implements AutoCloseable {
    static final String FILE = "source.fence.sock";
    static final long ANSWER_MILLIS = TimeUnit.SECONDS.toMillis(30);
    /** Longest request line, in bytes without its line ending; a longer one is refused. */
    static final int MAX_LINE = 1024;
    /** A connection whose request has not arrived by then is refused and closed: it is a local operator's. */
    static final long REQUEST_MILLIS = TimeUnit.SECONDS.toMillis(5);
    /** Connections served at once; one more is refused at once (an operator needs one). */
    static final int MAX_CONNECTIONS = 8;
    /** An answer line fits any socket buffer: its write ends at once unless the connection broke. */
    private static final long WRITE_MILLIS = 1_000;

    /** What one request line gets; may block (the session answers a fence when its redial lets it). */
    @FunctionalInterface
    interface Answers {
        String answer(String line) throws InterruptedException;
    }

    private final EventLoopGroup loop;
    private final Channel server;
    private final ExecutorService answering;

    private FenceSocket(EventLoopGroup loop, Channel server, ExecutorService answering) {
        this.loop = loop;
        this.server = server;
        this.answering = answering;
    }

    /** Listens in {@code stateDir}; null without a state directory (the operator then has no fence). */
    static FenceSocket open(Path stateDir, OperatorFence fence) {
        if (stateDir == null) {
            return null;
        }
        return open(stateDir, line -> answer(fence, line), REQUEST_MILLIS);
    }

    static FenceSocket open(Path stateDir, Answers answers, long requestMillis) {
        Path path = stateDir.resolve(FILE);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fence-socket", true),
                NioIoHandler.newFactory());
        // Bounded by MAX_CONNECTIONS: each connection hands over at most one request.
        ExecutorService answering = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("fence-answer-", 1).factory());
        try {
            if (Files.exists(path) && answersAlready(loop, path)) {
                throw new UserInputException("--state-dir " + stateDir + ": another vmm migrate runs on this state"
                        + " directory (its fence socket " + FILE + " answers)");
            }
            Files.deleteIfExists(path); // left by a source that was killed
            AtomicInteger connections = new AtomicInteger();
            Channel server = new ServerBootstrap().group(loop).channel(NioServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            lines(ch.pipeline(), MAX_LINE).addLast(
                                    new Connection(answers, answering, connections, requestMillis));
                        }
                    }).bind(UnixDomainSocketAddress.of(path)).syncUninterruptibly().channel();
            return new FenceSocket(loop, server, answering);
        } catch (Exception e) { // Netty rethrows a bind failure (an IOException) undeclared
            answering.shutdownNow();
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the fence socket " + path, io);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private static boolean answersAlready(EventLoopGroup loop, Path path) {
        ChannelFuture connect = new Bootstrap().group(loop).channel(NioDomainSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(UnixDomainSocketAddress.of(path)).awaitUninterruptibly();
        if (connect.isSuccess()) {
            connect.channel().close().awaitUninterruptibly();
            return true;
        }
        return false;
    }

    /** One line each way, UTF-8, at most {@code maxLine} bytes: the fence's framing at both ends. */
    static ChannelPipeline lines(ChannelPipeline pipeline, int maxLine) {
        return pipeline.addLast(new LineBasedFrameDecoder(maxLine, true, true),
                new StringDecoder(StandardCharsets.UTF_8), new StringEncoder(StandardCharsets.UTF_8));
    }

    /** What one request line gets. */
    static String answer(OperatorFence fence, String line) throws InterruptedException {
        FenceRequest request;
        try {
            request = FenceRequest.parse(line);
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
        return switch (fence.request(request.migrationId(), request.reason(), ANSWER_MILLIS)) {
            case OperatorFence.Answer.RolledBack done -> "rolled-back " + done.migrationId() + ": " + done.detail();
            case OperatorFence.Answer.Refused refused -> "refused: " + OneLine.of(refused.why());
        };
    }

    /**
     * Stops listening (Netty removes the socket file), interrupts the answers under way (they answer
     * {@code refused}) and ends the threads.
     */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(2_000);
        answering.shutdownNow();
        try {
            answering.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(3_000);
    }

    /**
     * One connection: its request line must arrive within the request deadline, is answered off the event
     * loop, and the answer closes the connection. Nothing further is read once a request arrived.
     */
    private static final class Connection extends SimpleChannelInboundHandler<String> {
        private final Answers answers;
        private final ExecutorService answering;
        private final AtomicInteger connections;
        private final long requestMillis;
        private ScheduledFuture<?> deadline; // on the event loop
        private boolean done; // a request or a refusal is under way (on the event loop)

        Connection(Answers answers, ExecutorService answering, AtomicInteger connections, long requestMillis) {
            this.answers = answers;
            this.answering = answering;
            this.connections = connections;
            this.requestMillis = requestMillis;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (connections.incrementAndGet() > MAX_CONNECTIONS) {
                refuse(ctx, "too many fence connections at once (" + MAX_CONNECTIONS + "): try again");
                return;
            }
            deadline = ctx.executor().schedule(() -> refuse(ctx, "no request within " + requestMillis + " ms"),
                    requestMillis, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connections.decrementAndGet();
            if (deadline != null) {
                deadline.cancel(false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            if (done) {
                return; // one request per connection: lines after it are not read
            }
            done = true;
            deadline.cancel(false);
            ctx.channel().config().setAutoRead(false);
            try {
                answering.execute(() -> reply(ctx, line));
            } catch (RejectedExecutionException e) {
                ctx.close(); // the fence socket is closing
            }
        }

        private void reply(ChannelHandlerContext ctx, String line) {
            String answer;
            try {
                answer = answers.answer(line);
            } catch (InterruptedException e) {
                answer = "refused: the vmm migrate is ending";
            } catch (RuntimeException e) {
                answer = "refused: " + OneLine.of(String.valueOf(e));
            }
            // Waited for, so that close(), which waits for the answering threads, stops the event loop only after
            // their answers went out (its shutdown closes the channels before it runs the tasks still queued).
            ctx.writeAndFlush(answer + "\n").addListener(ChannelFutureListener.CLOSE)
                    .awaitUninterruptibly(WRITE_MILLIS);
        }

        private void refuse(ChannelHandlerContext ctx, String why) {
            if (done) {
                return;
            }
            done = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush("refused: " + why + "\n").addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                refuse(ctx, "a fence request is one line of at most " + MAX_LINE + " bytes");
            } else {
                ctx.close(); // the operator's connection broke: nothing to answer
            }
        }
    }
}
