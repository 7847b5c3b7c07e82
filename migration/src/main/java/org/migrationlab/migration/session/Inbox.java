package org.migrationlab.migration.session;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.transport.TransportClosedException;

/**
 * The bounded hand-off from event loops to a session thread: records in arrival order, and the first
 * failure of any channel, which wakes the session at once. Producers never block: a full inbox is a
 * peer that floods us, which ends the session.
 */
final class Inbox {
    private final BlockingQueue<MigrationRecord> records;
    private volatile Throwable failure;
    private final Object wake = new Object();
    /** The connections' generation (PROTOCOL §5.6): what a stale connection reports is dropped. */
    private int epoch;

    Inbox(int capacity) {
        this.records = new ArrayBlockingQueue<>(capacity);
    }

    void offer(MigrationRecord record) {
        offer(record, currentEpoch());
    }

    /** As {@link #offer(MigrationRecord)}, from a connection of {@code from}; dropped when that epoch is over. */
    void offer(MigrationRecord record, int from) {
        synchronized (wake) {
            if (from != epoch) {
                ReferenceCountUtil.release(record);
                return;
            }
        }
        if (!records.offer(record)) {
            ReferenceCountUtil.release(record);
            fail(new ProtocolException(AbortReason.UNEXPECTED_RECORD, "the peer sent more records than the session can queue"));
            return;
        }
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Records a failure. The first one wins, except that a reason (an ABORT, bad input) replaces a bare
     * broken connection: a peer that aborts closes, and our writes may fail before its ABORT is read.
     */
    void fail(Throwable cause) {
        synchronized (wake) {
            fail(cause, epoch);
        }
    }

    /** As {@link #fail(Throwable)}, from a connection of {@code from}; ignored when that epoch is over. */
    void fail(Throwable cause, int from) {
        synchronized (wake) {
            if (from != epoch) {
                return;
            }
            if (failure == null || isBareDisconnect(failure) && !isBareDisconnect(cause)) {
                failure = cause;
            }
            wake.notifyAll();
        }
    }

    private static boolean isBareDisconnect(Throwable cause) {
        return cause instanceof TransportClosedException || cause instanceof IOException;
    }

    int currentEpoch() {
        synchronized (wake) {
            return epoch;
        }
    }

    /**
     * Starts the next epoch: the failure and the records of the last one are forgotten, and whatever its
     * connections still report is dropped. Returns the new epoch.
     */
    int nextEpoch() {
        synchronized (wake) {
            epoch++;
            failure = null;
            drain();
            return epoch;
        }
    }

    /** Makes {@code epoch} the current one, so that {@link #nextEpoch()} starts above it (a restarted source). */
    void startEpochsAfter(int epoch) {
        synchronized (wake) {
            if (epoch < this.epoch) {
                throw new IllegalArgumentException("epochs only grow: " + epoch + " < " + this.epoch);
            }
            this.epoch = epoch;
        }
    }

    Throwable failure() {
        return failure;
    }

    /**
     * The failure of the current epoch, waiting at most {@code timeoutMillis} for one to be recorded: a send that
     * found its channel closed learns why from the connection's own report, which its event loop is delivering.
     * Null if none came.
     */
    Throwable awaitFailure(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (wake) {
            while (failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(wake, left);
            }
            return failure;
        }
    }

    int size() {
        return records.size();
    }

    /** Waits for the next record; throws the channel failure if one happened first, or on timeout. */
    MigrationRecord take(long timeoutMillis, String waitingFor) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (wake) {
            while (true) {
                MigrationRecord record = records.poll();
                if (record != null) {
                    return record;
                }
                if (failure != null) {
                    throw failure instanceof RuntimeException r ? r : new TransportClosedException(failure.toString());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ProtocolException(AbortReason.TIMEOUT, "no " + waitingFor + " within " + timeoutMillis + " ms");
                }
                TimeUnit.NANOSECONDS.timedWait(wake, left);
            }
        }
    }

    void drain() {
        MigrationRecord record;
        while ((record = records.poll()) != null) {
            ReferenceCountUtil.release(record);
        }
    }
}
