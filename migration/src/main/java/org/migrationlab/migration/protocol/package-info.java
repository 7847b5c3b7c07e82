/**
 * The migration wire protocol (PROTOCOL.md): the records ({@link
 * org.migrationlab.migration.protocol.MigrationRecord} and its enums), their frame codec ({@link
 * org.migrationlab.migration.protocol.RecordCodec}), page encoding and CRC32C ({@link
 * org.migrationlab.migration.protocol.PageCodec}, {@link org.migrationlab.migration.protocol.PageBatchBuilder})
 * and the Netty codec handlers ({@link org.migrationlab.migration.protocol.FrameDecoder}, {@link
 * org.migrationlab.migration.protocol.RecordDecoder}, {@link org.migrationlab.migration.protocol.RecordEncoder}).
 * Bytes ↔ records only: no channel, session or state-machine logic. Checks that need context (page
 * in range, record allowed in this state, CRC of an installed page, HELLO version window) belong to the
 * sessions, which turn a {@link org.migrationlab.migration.protocol.ProtocolException} into {@code ABORT}.
 *
 * <p>Threads: the handlers run on their channel's event loop (decoders are per channel,
 * {@code RecordEncoder} is shared); the codec functions and records may be used from any thread;
 * a {@code PageBatchBuilder} is confined to the thread that fills it.
 *
 * <p>Ownership: a decoded {@code PageBatch} owns a retained slice of its frame; whoever consumes it
 * releases it. Writing a record transfers it to the encoder.
 *
 * <p>Depends only on the JDK and Netty's buffer, codec and transport APIs.
 */
package org.migrationlab.migration.protocol;
