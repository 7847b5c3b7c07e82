package org.migrationlab.migration.session;

import java.io.IOException;

import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.transport.HandshakeException;
import org.migrationlab.migration.transport.PeerAbortedException;
import org.migrationlab.migration.transport.TransportClosedException;

/**
 * Tells a broken link (a connection closed, reset or silent past the peer timeout) from a failure of the
 * migration itself (bad input, a failed guest): after the switch-over only the first is worth a post-copy
 * recovery (PROTOCOL §5.6), since reconnecting cannot mend the second.
 */
final class LinkLoss {
    private LinkLoss() {
    }

    static boolean is(Throwable cause) {
        return switch (cause) {
            case TransportClosedException e -> true;
            case IOException e -> true;
            case ProtocolException e -> isLinkReason(e.reason());
            case PeerAbortedException e -> isLinkReason(e.reason());
            case null, default -> false;
        };
    }

    /**
     * Whether a reconnection failed because the destination refused it for good (it gave up the migration,
     * never knew it, or the input was wrong), rather than because it could not be reached yet: only a
     * refusal ends a recovery before its timeout.
     */
    static boolean isRefusal(Throwable cause) {
        AbortReason reason = switch (cause) {
            case ProtocolException e -> e.reason();
            case PeerAbortedException e -> e.reason();
            case HandshakeException e -> e.reason();
            case null, default -> null;
        };
        return reason != null && !isLinkReason(reason);
    }

    private static boolean isLinkReason(AbortReason reason) {
        return reason == AbortReason.TIMEOUT || reason == AbortReason.CONNECTION_LOST;
    }
}
