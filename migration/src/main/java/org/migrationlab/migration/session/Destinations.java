package org.migrationlab.migration.session;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.migration.progress.ArrivalObserver;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.RecordSink;

/**
 * The destination's registry of incoming migrations: a bulk connection opens a new session (up to a
 * bound), an urgent connection joins the session of its migration id (one per migration). The bound
 * counts every guest this destination holds — migrations under way and guests that arrived and still run
 * — so a slot is free again only when the migration failed or its guest ended. Used as the transport's
 * resolver; called on event loops.
 */
public final class Destinations {
    private final Map<UUID, DestinationSession> sessions = new ConcurrentHashMap<>();
    /** One per guest held here, completed (and removed) when the place is free again. */
    private final Map<UUID, CompletableFuture<Void>> slots = new ConcurrentHashMap<>();
    /**
     * The page count of each of the latest {@value #REMEMBERED_ENDINGS} guests that arrived here (running or
     * ended since), for a late recovery (PROTOCOL §5.6): its source lost the link before it read COMPLETE, and
     * learns that the migration completed, however long its guest ran here. Bounded as the endings are.
     */
    private final Map<UUID, Long> arrived = latest(REMEMBERED_ENDINGS);
    private final GuestFactory machines;
    private final int maxConcurrent;
    private final long maxRamBytes;
    private final long replyTimeoutMillis;
    private final long recoverTimeoutMillis;
    private final Consumer<DestinationSession> onNewSession;
    private volatile LostGuests lost = LostGuests.NONE;
    /**
     * The latest {@value #REMEMBERED_ENDINGS} migrations whose session failed here before the switch-over
     * arrived, each with a future completed once a recovery of it was told that the guest never ran here (so a
     * --once daemon knows its source heard). Bounded, as peers could fail sessions without end: the recovery of
     * a forgotten one is refused as any unknown migration's, which is no proof, and its source keeps the guest.
     */
    private final Map<UUID, CompletableFuture<Void>> endedBeforeSwitchOver = latest(REMEMBERED_ENDINGS);
    static final int REMEMBERED_ENDINGS = 1024;
    private volatile Function<UUID, ArrivalObserver> arrivals = id -> ArrivalObserver.NONE;

    /** A thread-safe map that keeps only its latest {@code bound} entries, the eldest going first. */
    private static <V> Map<UUID, V> latest(int bound) {
        return Collections.synchronizedMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, V> eldest) {
                return size() > bound;
            }
        });
    }

    /** @param machines builds the machines guests arrive in (the same factory as the sources') */
    public Destinations(GuestFactory machines, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis,
                        Consumer<DestinationSession> onNewSession) {
        this(machines, maxConcurrent, maxRamBytes, replyTimeoutMillis, MigrationConfig.DEFAULT_RECOVER_TIMEOUT_MILLIS,
                onNewSession);
    }

    /** @param recoverTimeoutMillis how long a post-copy migration whose link broke waits for its source */
    public Destinations(GuestFactory machines, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis,
                        long recoverTimeoutMillis, Consumer<DestinationSession> onNewSession) {
        this.recoverTimeoutMillis = recoverTimeoutMillis;
        this.machines = machines;
        this.maxConcurrent = maxConcurrent;
        this.maxRamBytes = maxRamBytes;
        this.replyTimeoutMillis = replyTimeoutMillis;
        this.onNewSession = onNewSession;
    }

    /** The guests an earlier process of this destination ran and lost; set before the listener opens. */
    public void lostGuests(LostGuests lostGuests) {
        this.lost = lostGuests;
    }

    /** Who hears of each incoming migration's post-copy pages (a live view); set before the listener opens. */
    public void observeArrivals(Function<UUID, ArrivalObserver> observers) {
        this.arrivals = java.util.Objects.requireNonNull(observers, "observers");
    }

    /** Migrations under way and arrived guests still running here. */
    public int guestsHeld() {
        return slots.size();
    }

    /** Completes once migration {@code id} no longer holds a place here (at once if it holds none). */
    public CompletableFuture<Void> released(UUID id) {
        return slots.getOrDefault(id, CompletableFuture.completedFuture(null));
    }

    private void release(UUID id) {
        CompletableFuture<Void> slot = slots.remove(id);
        if (slot != null) {
            slot.complete(null);
        }
    }

    /**
     * Completes once a recovery of migration {@code id}, which ended here before its switch-over, was told that
     * the guest never ran here and its connection closed.
     */
    public CompletableFuture<Void> sourceTold(UUID id) {
        return endedBeforeSwitchOver.computeIfAbsent(id, any -> new CompletableFuture<>());
    }

    /** Whether a recovery of {@code id} would still be told that the guest never ran here. */
    boolean remembersEndingOf(UUID id) {
        return endedBeforeSwitchOver.containsKey(id);
    }

    public RecordSink resolve(Handshake handshake) {
        UUID id = handshake.migrationId();
        if (lost.contains(id)) {
            return new LostGuestSink(id, lost); // never a session: this process never ran that guest
        }
        DestinationSession known = sessions.get(id);
        if (lost.neverRan(id) || endedBeforeSwitchOver.containsKey(id)
                || known != null && known.endedBeforeSwitchOver()) {
            // Proof, not silence: this side's journal or its own failed session shows the guest never ran here.
            CompletableFuture<Void> told = sourceTold(id);
            return new LostGuestSink(id, lost, false, () -> told.complete(null));
        }
        Long arrivedPages = arrived.get(id);
        if (arrivedPages != null) {
            return new ArrivedMigrationSink(arrivedPages); // the link broke just before the source read COMPLETE
        }
        if (known != null && known.everyPageHere()) {
            return new ArrivedMigrationSink(known.guestPageCount()); // the same, before its arrival is registered
        }
        if (known != null && (known.switchedOver() || handshake.channel() == MigrationRecord.Channel.BULK)) {
            // A connection for a migration under way here: a recovery (PROTOCOL §5.6), which the session accepts
            // or refuses by the RECOVER it must open with. Before the switch-over a RECOVER ends the session: the
            // source lost the link while SWITCH_OVER was on its way and takes its guest back only on that proof.
            return known.reconnectSink(handshake.channel());
        }
        if (handshake.channel() == MigrationRecord.Channel.BULK) {
            DestinationSession session;
            synchronized (this) {
                if (slots.size() >= maxConcurrent) {
                    throw new ProtocolException(AbortReason.BAD_STATE, "this destination holds at most " + maxConcurrent
                            + " guests at once (migrating in or running)");
                }
                if (sessions.containsKey(id) || slots.containsKey(id)) {
                    throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, "migration " + id + " is already under way");
                }
                session = new DestinationSession(id, machines, maxRamBytes, replyTimeoutMillis, recoverTimeoutMillis,
                        arrivals.apply(id));
                sessions.put(id, session);
                slots.put(id, new CompletableFuture<>());
            }
            session.arrival().whenComplete((arrival, error) -> {
                if (error != null) {
                    if (session.endedBeforeSwitchOver()) {
                        sourceTold(id); // remembered before the session goes: no gap for a recovery
                    }
                    sessions.remove(id);
                    release(id);
                } else {
                    arrived.put(id, arrival.guest().pageCount()); // before the session goes: no gap for a recovery
                    sessions.remove(id);
                    arrival.guest().ended().whenComplete((end, failure) -> release(id));
                }
            });
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
