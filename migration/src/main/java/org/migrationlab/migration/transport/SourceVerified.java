package org.migrationlab.migration.transport;

import org.migrationlab.migration.protocol.MigrationRecord;

/**
 * Destination side of the handshake (PROTOCOL §3): the source proved the secret. The session handler
 * registers the connection first and only then sends {@code answer}, the destination's own proof, so a
 * source that opens its urgent connection as soon as it reads that proof finds its migration registered.
 */
record SourceVerified(Handshake handshake, MigrationRecord.Auth answer) {
}
