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

    Inbox(int capacity) {
        this.records = new ArrayBlockingQueue<>(capacity);
    }

    void offer(MigrationRecord record) {
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
            if (failure == null || isBareDisconnect(failure) && !isBareDisconnect(cause)) {
                failure = cause;
            }
            wake.notifyAll();
        }
    }

    private static boolean isBareDisconnect(Throwable cause) {
        return cause instanceof TransportClosedException || cause instanceof IOException;
    }

    Throwable failure() {
        return failure;
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
