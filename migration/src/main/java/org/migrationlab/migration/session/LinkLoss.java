package org.migrationlab.migration.session;

import java.io.IOException;

import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.ProtocolException;
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

    private static boolean isLinkReason(AbortReason reason) {
        return reason == AbortReason.TIMEOUT || reason == AbortReason.CONNECTION_LOST;
    }
}
