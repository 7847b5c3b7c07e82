package org.migrationlab.migration.transport;

import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;

/**
 * Liveness of one authenticated connection (PROTOCOL §3.5), at the byte level so that every byte counts,
 * however large the frame it belongs to: once {@linkplain #arm armed} (after the handshake), it sends a
 * HEARTBEAT whenever this end has written nothing for a third of the peer timeout, and ends the connection
 * with {@code TIMEOUT} when nothing at all arrived for the peer timeout. A bulk connection may also have a
 * progress limit: how long it may carry nothing but heartbeats (a destination's, so that an authenticated
 * source cannot hold a migration slot by only saying it is alive). One per channel; event-loop thread only.
 */
final class LivenessHandler extends ChannelDuplexHandler {
    /**
     * A check that runs this much after its time shows that this end's event loop was starved (a loaded
     * host, a long pause): bytes may be waiting in the socket unread, so the silence it measures is ours,
     * not the peer's. It looks again once the loop has caught up instead of ending the connection; twice the
     * peer timeout without a byte is silence however busy the loop (a loop late at every look must not keep
     * a dead peer's connection open).
     */
    static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Long enough for the loop to pass over its sockets once before the look again. */
    static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private final MigrationRecord.Role role;
    private final long peerTimeoutNanos;
    private final long heartbeatNanos;
    private final long progressLimitMillis;
    private ChannelHandlerContext ctx;
    private MigrationRecord.Channel kind;
    private long progressLimitNanos;
    private long lastRead;
    private long lastWrite;
    private long lastRecord;
    private ScheduledFuture<?> check;
    private long checkDueAt;

    /**
     * @param role                this end's role, to name the silent peer
     * @param progressLimitMillis for a bulk connection: how long it may carry only heartbeats (0: without limit)
     */
    LivenessHandler(MigrationRecord.Role role, long peerTimeoutMillis, long progressLimitMillis) {
        this.role = role;
        this.peerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(peerTimeoutMillis);
        this.heartbeatNanos = peerTimeoutNanos / 3;
        this.progressLimitMillis = progressLimitMillis;
    }

    /** The event loop's clock (a test's loop may hold it still). */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Starts heartbeats and the silence check; the handshake is done on {@code channelKind}. */
    void arm(MigrationRecord.Channel channelKind) {
        kind = channelKind;
        progressLimitNanos = channelKind == MigrationRecord.Channel.BULK
                ? TimeUnit.MILLISECONDS.toNanos(progressLimitMillis) : 0;
        long now = now();
        lastRead = now;
        lastWrite = now;
        lastRecord = now;
        schedule(heartbeatNanos);
    }

    /** A record other than a heartbeat arrived (the session's progress limit). */
    void recordReceived() {
        lastRecord = now();
    }

    private void schedule(long delayNanos) {
        long delay = Math.max(delayNanos, 1);
        checkDueAt = now() + delay;
        check = ctx.executor().schedule(this::check, delay, TimeUnit.NANOSECONDS);
    }

    private void check() {
        check = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = now();
        long silent = now - lastRead;
        if (silent >= peerTimeoutNanos && silent < 2 * peerTimeoutNanos && now - checkDueAt > LATE_NANOS) {
            schedule(RECHECK_NANOS); // after the reads the loop has queued: then the silence is the peer's
            return;
        }
        if (silent >= peerTimeoutNanos) {
            ctx.fireExceptionCaught(new ProtocolException(AbortReason.TIMEOUT, String.format(Locale.ROOT,
                    "peer silent for %.1f s: nothing from the %s on the %s connection (no heartbeat, no data)",
                    silent / 1e9, role == MigrationRecord.Role.SOURCE ? "destination" : "source", kind)));
            return;
        }
        if (progressLimitNanos > 0 && now - lastRecord >= progressLimitNanos) {
            ctx.fireExceptionCaught(new ProtocolException(AbortReason.TIMEOUT, "nothing from the peer for "
                    + progressLimitMillis + " ms"));
            return;
        }
        if (now - lastWrite >= heartbeatNanos) {
            lastWrite = now;
            ctx.channel().writeAndFlush(new MigrationRecord.Heartbeat());
        }
        long next = Math.min(lastWrite + heartbeatNanos, lastRead + peerTimeoutNanos);
        if (progressLimitNanos > 0) {
            next = Math.min(next, lastRecord + progressLimitNanos);
        }
        schedule(next - now);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastRead = now();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastWrite = now();
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        super.channelInactive(ctx);
    }
}
