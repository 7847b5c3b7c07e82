package org.migrationlab.migration.transport;

import java.util.UUID;

import org.migrationlab.migration.protocol.MigrationRecord;

/** Fired down the pipeline (as a user event) once both ends proved the secret. */
public record Handshake(MigrationRecord.Hello peer, UUID migrationId, MigrationRecord.Channel channel) {
}
