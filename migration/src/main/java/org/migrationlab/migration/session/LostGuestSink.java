package org.migrationlab.migration.session;

import java.util.UUID;

import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.PeerChannel;
import org.migrationlab.migration.transport.RecordSink;

/**
 * A recovery of a migration whose guest this destination ran in an earlier process and lost with it
 * ({@link LostGuests}). It answers the RECOVER, on the authenticated connection, with ABORT(GUEST_LOST)
 * once the hand-back to the source is journaled; anything else is refused as usual.
 */
final class LostGuestSink implements RecordSink {
    private final UUID migrationId;
    private final LostGuests lost;

    LostGuestSink(UUID migrationId, LostGuests lost) {
        this.migrationId = migrationId;
        this.lost = lost;
    }

    @Override
    public void authenticated(Handshake handshake, PeerChannel channel) {
    }

    @Override
    public void received(MigrationRecord record, PeerChannel channel) {
        ReferenceCountUtil.release(record);
        if (!(record instanceof MigrationRecord.Recover)) {
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type()
                    + " for a migration whose guest this destination lost");
        }
        try {
            lost.handBack(migrationId);
        } catch (RuntimeException e) {
            throw new ProtocolException(AbortReason.BAD_STATE, "cannot journal the hand-back of migration "
                    + migrationId + ": " + e.getMessage());
        }
        // The session handler sends it as ABORT(GUEST_LOST), sealed like every frame after the handshake.
        throw new ProtocolException(AbortReason.GUEST_LOST, "the destination restarted and no longer runs the guest"
                + " of migration " + migrationId + " (its journal shows it owned it): resume the source's copy");
    }

    @Override
    public void failed(PeerChannel channel, Throwable cause) {
    }

    @Override
    public void closed(PeerChannel channel) {
    }
}
