package org.migrationlab.migration.transport;

import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * Where a channel's inbound records go once the handshake is done. Called on the channel's event loop:
 * implementations must not block. A received {@link MigrationRecord.PageBatch} belongs to the sink,
 * which must release it.
 */
public interface RecordSink {
    void authenticated(Handshake handshake, PeerChannel channel);

    void received(MigrationRecord record, PeerChannel channel);

    /** The channel failed (bad input, handshake refused, I/O error); it is being closed. */
    void failed(PeerChannel channel, Throwable cause);

    /** The channel closed (after failed(), or because the peer hung up). */
    void closed(PeerChannel channel);
}
