package org.migrationlab.migration.session;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.RecordSink;

/**
 * The destination's registry of incoming migrations: a bulk connection opens a new session (up to a
 * bound), an urgent connection joins the session of its migration id. Used as the transport's
 * resolver; called on event loops.
 */
public final class Destinations {
    private final Map<UUID, DestinationSession> sessions = new ConcurrentHashMap<>();
    private final GuestFactory machines;
    private final int maxConcurrent;
    private final long maxRamBytes;
    private final long replyTimeoutMillis;
    private final Consumer<DestinationSession> onNewSession;

    /** @param machines builds the machines guests arrive in (the same factory as the sources') */
    public Destinations(GuestFactory machines, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis,
                        Consumer<DestinationSession> onNewSession) {
        this.machines = machines;
        this.maxConcurrent = maxConcurrent;
        this.maxRamBytes = maxRamBytes;
        this.replyTimeoutMillis = replyTimeoutMillis;
        this.onNewSession = onNewSession;
    }

    public RecordSink resolve(Handshake handshake) {
        UUID id = handshake.migrationId();
        if (handshake.channel() == MigrationRecord.Channel.BULK) {
            if (sessions.size() >= maxConcurrent) {
                throw new ProtocolException(AbortReason.BAD_STATE, "this destination takes at most " + maxConcurrent
                        + " migrations at once");
            }
            DestinationSession session = new DestinationSession(id, machines, maxRamBytes, replyTimeoutMillis);
            if (sessions.putIfAbsent(id, session) != null) {
                throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, "migration " + id + " is already under way");
            }
            session.arrival().whenComplete((arrival, error) -> sessions.remove(id));
            onNewSession.accept(session);
            return session.sink(MigrationRecord.Channel.BULK);
        }
        DestinationSession session = sessions.get(id);
        if (session == null) {
            throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, "urgent connection for unknown migration " + id);
        }
        return session.sink(MigrationRecord.Channel.URGENT);
    }
}
