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
 * A recovery of a migration whose guest this destination does not hold and never will: it ran it in an
 * earlier process and lost it with it ({@link LostGuests}), or it never ran it (the migration ended here before
 * the switch-over arrived). It answers the RECOVER, on the authenticated connection, with ABORT(GUEST_LOST)
 * once the hand-back to the source is journaled; anything else is refused as usual.
 */
final class LostGuestSink implements RecordSink {
    private final UUID migrationId;
    private final LostGuests lost;
    private final boolean ranHere;
    private final Runnable answered;
    private volatile boolean told;

    LostGuestSink(UUID migrationId, LostGuests lost) {
        this(migrationId, lost, true, () -> { });
    }

    /**
     * @param ranHere  whether an earlier process of this side ran the guest (else it never ran here)
     * @param answered run once the GUEST_LOST answer went out and its connection closed
     */
    LostGuestSink(UUID migrationId, LostGuests lost, boolean ranHere, Runnable answered) {
        this.migrationId = migrationId;
        this.lost = lost;
        this.ranHere = ranHere;
        this.answered = answered;
    }

    @Override
    public void authenticated(Handshake handshake, PeerChannel channel) {
    }

    @Override
    public void received(MigrationRecord record, PeerChannel channel) {
        ReferenceCountUtil.release(record);
        if (!(record instanceof MigrationRecord.Recover)) {
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type()
                    + " for a migration whose guest this destination does not hold");
        }
        try {
            lost.handBack(migrationId);
        } catch (RuntimeException e) {
            throw new ProtocolException(AbortReason.BAD_STATE, "cannot journal the hand-back of migration "
                    + migrationId + ": " + e.getMessage());
        }
        told = true;
        // The session handler sends it as ABORT(GUEST_LOST), sealed like every frame after the handshake.
        throw new ProtocolException(AbortReason.GUEST_LOST, ranHere
                ? "the destination restarted and no longer runs the guest of migration " + migrationId
                + " (its journal shows it owned it): resume the source's copy"
                : "the guest of migration " + migrationId + " never ran at this destination (the migration ended"
                + " here before the switch-over arrived, and can never resume here): resume the source's copy");
    }

    @Override
    public void failed(PeerChannel channel, Throwable cause) {
    }

    @Override
    public void closed(PeerChannel channel) {
        if (told) {
            answered.run(); // the ABORT left before the connection closed
        }
    }
}
