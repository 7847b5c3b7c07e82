package org.migrationlab.migration.transport;

import io.netty.channel.embedded.EmbeddedChannel;
import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * A {@link PeerChannel} over Netty's embedded channel, for tests that drive one part of the engine (a push,
 * a page server) and read back, in order, the records it wrote: {@link EmbeddedChannel#readOutbound()}.
 */
public final class EmbeddedPeers {
    private EmbeddedPeers() {
    }

    /** A bulk channel whose writes stay in {@code channel}'s outbound queue. */
    public static PeerChannel bulk(EmbeddedChannel channel) {
        WritabilityGate gate = new WritabilityGate();
        channel.pipeline().addLast(gate);
        return new PeerChannel(channel, gate, MigrationRecord.Channel.BULK, new ByteCounter());
    }
}
