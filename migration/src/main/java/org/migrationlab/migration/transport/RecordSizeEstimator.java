package org.migrationlab.migration.transport;

import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * Sizes records that wait before the encoder (written from a session thread, they queue for the event loop;
 * the {@link FaultInjector} holds them while a connection is silenced or delayed) by the bytes they will
 * take, so that they count against the channel's writability as the frames they become would: a sender
 * waits, and the records in flight are at most the write buffer's worth. Netty's default estimator counts
 * any message it does not know as 8 bytes, which let a session hand a whole pre-copy round over at once.
 */
final class RecordSizeEstimator implements MessageSizeEstimator {
    static final RecordSizeEstimator INSTANCE = new RecordSizeEstimator();
    private static final Handle HANDLE = new Handle() {
        private final Handle bytes = DefaultMessageSizeEstimator.DEFAULT.newHandle();

        @Override
        public int size(Object msg) {
            return switch (msg) {
                case MigrationRecord.PageBatch batch -> batch.data().readableBytes() + 24 * batch.count();
                case MigrationRecord.GuestStateRecord state -> state.image().length;
                case MigrationRecord.SwitchOver switchOver -> 16 + switchOver.pendingBitmap().length;
                case MigrationRecord record -> 64;
                default -> bytes.size(msg);
            };
        }
    };

    private RecordSizeEstimator() {
    }

    @Override
    public Handle newHandle() {
        return HANDLE;
    }
}
