package org.migrationlab.migration.transport;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * One authenticated connection of a migration, as the sessions see it: send records with backpressure
 * (from a session thread) or without waiting (from an event loop or the vCPU thread, for small urgent
 * records). Writing transfers ownership of a record's buffers to the transport.
 */
public final class PeerChannel {
    private final Channel channel;
    private final WritabilityGate gate;
    private final MigrationRecord.Channel kind;
    private final ByteCounter bytes;

    PeerChannel(Channel channel, WritabilityGate gate, MigrationRecord.Channel kind, ByteCounter bytes) {
        this.channel = channel;
        this.gate = gate;
        this.kind = kind;
        this.bytes = bytes;
    }

    public MigrationRecord.Channel kind() {
        return kind;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    public long bytesWritten() {
        return bytes.written();
    }

    /**
     * Waits until the channel can take more, then writes and flushes. For session threads, never an
     * event loop. Throws {@link TransportClosedException} if the channel is closed or stays full.
     */
    public ChannelFuture send(MigrationRecord record, long timeoutMillis) throws InterruptedException {
        if (!gate.awaitWritable(timeoutMillis, TimeUnit.MILLISECONDS)) {
            ReferenceCountUtil.release(record);
            throw new TransportClosedException(kind + " channel stayed full for " + timeoutMillis + " ms");
        }
        return sendNow(record);
    }

    /** Writes and flushes at once (no backpressure): for small records from any thread. */
    public ChannelFuture sendNow(MigrationRecord record) {
        if (!channel.isActive()) {
            ReferenceCountUtil.release(record);
            throw new TransportClosedException(kind + " channel is closed");
        }
        return channel.writeAndFlush(record).addListener(REPORT_FAILURE_UNLESS_CLOSED);
    }

    /**
     * Like {@link ChannelFutureListener#FIRE_EXCEPTION_ON_FAILURE}, except for writes that failed because
     * the channel had closed: the closing itself reaches the session as {@link RecordSink#closed}, and a
     * bare {@code ClosedChannelException} (no message) must not become the session's error instead.
     */
    private static final ChannelFutureListener REPORT_FAILURE_UNLESS_CLOSED = future -> {
        if (!future.isSuccess() && !(future.cause() instanceof ClosedChannelException)) {
            future.channel().pipeline().fireExceptionCaught(future.cause());
        }
    };

    /**
     * Sends an ABORT (best effort) and closes once the peer hangs up or after a short grace; what arrives
     * meanwhile is dropped unread, so the peer reads the ABORT instead of a reset.
     */
    public void abort(MigrationRecord.Abort abort) {
        AbortAndDrain.abort(channel, abort);
    }

    public ChannelFuture close() {
        return channel.close();
    }

    /**
     * Closes and waits, at most {@code timeoutMillis}, until the close has run on the channel's event loop.
     * Writes handed to the channel before ran ahead of it on that loop, so once this returns true none of
     * them reads its buffers any more: a caller may free memory that pages were written from without a
     * copy (a frozen guest's RAM). For session threads, never an event loop.
     */
    public boolean closeAndSettle(long timeoutMillis) {
        return channel.close().awaitUninterruptibly(timeoutMillis);
    }

    @Override
    public String toString() {
        return kind + " " + channel.remoteAddress();
    }
}
