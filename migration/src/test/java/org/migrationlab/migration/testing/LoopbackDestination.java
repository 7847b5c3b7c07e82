package org.migrationlab.migration.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.migrationlab.emulator.machine.MigratableMachine;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.Destinations;
import org.migrationlab.migration.session.LostGuests;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.MigrationServer;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A real destination (listener, registry and sessions) on 127.0.0.1, port 0, that remembers every
 * session it opened by migration id, so a test that plays the source by hand ({@link #playSource}) can
 * ask how each one ended. Closing it closes the listener and its event loops.
 */
public final class LoopbackDestination implements AutoCloseable {
    private final Map<UUID, CompletableFuture<DestinationSession>> sessions = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<DestinationSession>> nextWaiter =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final MigrationServer server;
    private final byte[] secret;
    private final Destinations destinations;

    public LoopbackDestination(byte[] secret, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis)
            throws InterruptedException {
        this(TransportConfig.of(secret), maxConcurrent, maxRamBytes, replyTimeoutMillis);
    }

    /** A destination with its own transport (TLS, timeouts, limits of the handshake). */
    public LoopbackDestination(TransportConfig transport, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis)
            throws InterruptedException {
        this(transport, maxConcurrent, maxRamBytes, replyTimeoutMillis, MigrationConfig.DEFAULT_RECOVER_TIMEOUT_MILLIS);
    }

    /** A destination whose paused post-copy migrations wait {@code recoverTimeoutMillis} for their source. */
    public LoopbackDestination(TransportConfig transport, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis,
                               long recoverTimeoutMillis) throws InterruptedException {
        this(transport, maxConcurrent, maxRamBytes, replyTimeoutMillis, recoverTimeoutMillis,
                new InetSocketAddress("127.0.0.1", 0), LostGuests.NONE);
    }

    /**
     * A destination listening at {@code address} (a restarted one takes its predecessor's port) that knows the
     * guests an earlier incarnation lost.
     */
    public LoopbackDestination(TransportConfig transport, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis,
                               long recoverTimeoutMillis, InetSocketAddress address, LostGuests lost)
            throws InterruptedException {
        this(transport, maxConcurrent, maxRamBytes, replyTimeoutMillis, recoverTimeoutMillis, address, lost,
                LoopbackMigration.MACHINES);
    }

    /** The same, its guests built by {@code machines} (a {@link MachineDecorator} that watches them). */
    public LoopbackDestination(TransportConfig transport, int maxConcurrent, long maxRamBytes, long replyTimeoutMillis,
                               long recoverTimeoutMillis, InetSocketAddress address, LostGuests lost,
                               org.migrationlab.emulator.port.GuestFactory machines) throws InterruptedException {
        this.secret = transport.secret();
        this.destinations = new Destinations(machines, maxConcurrent, maxRamBytes, replyTimeoutMillis,
                recoverTimeoutMillis, session -> {
                    sessionFuture(session.id()).complete(session);
                    CompletableFuture<DestinationSession> waiter = nextWaiter.getAndSet(null);
                    if (waiter != null) {
                        waiter.complete(session);
                    }
                });
        destinations.lostGuests(lost);
        server = new MigrationServer(address, transport, destinations::resolve);
    }

    /** Completes with the next session opened after this call (one waiter at a time). */
    public CompletableFuture<DestinationSession> nextSession() {
        CompletableFuture<DestinationSession> next = new CompletableFuture<>();
        if (!nextWaiter.compareAndSet(null, next)) {
            throw new IllegalStateException("someone waits for the next session already");
        }
        return next;
    }

    /** The registry behind the listener. */
    public Destinations destinations() {
        return destinations;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    private CompletableFuture<DestinationSession> sessionFuture(UUID id) {
        return sessions.computeIfAbsent(id, key -> new CompletableFuture<>());
    }

    /** Whether a session was opened for this migration id (a bulk connection passed the handshake). */
    public boolean opened(UUID id) {
        CompletableFuture<DestinationSession> session = sessions.get(id);
        return session != null && session.isDone();
    }

    /**
     * Waits for the session of this migration to end and returns why it failed.
     *
     * @throws AssertionError if no session was opened, or it did not end in time, or it completed
     */
    public Throwable failure(UUID id, long timeoutMillis) throws InterruptedException {
        try {
            DestinationSession session = sessionFuture(id).get(timeoutMillis, TimeUnit.MILLISECONDS);
            DestinationSession.Arrival arrival = session.arrival().get(timeoutMillis, TimeUnit.MILLISECONDS);
            arrival.guest().close();
            throw new AssertionError("the destination session of " + id + " completed a migration");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the destination session of " + id + " did not end within " + timeoutMillis
                    + " ms (or never opened)");
        }
    }

    /** How a session with a hand-played source ended: what the source read, and why the session failed. */
    public record SourceEnding(RawPeer.Ending wire, Throwable failure) {
        /**
         * What is wrong with this ending, or nothing: the destination must close the connection, fail
         * the session with a protocol or transport error that has a message, and, if it sent an ABORT,
         * name the same reason in it.
         */
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (!wire.closedByPeer()) {
                problems.add("the destination did not close the connection (" + wire.how() + ")");
            }
            if (!(failure instanceof ProtocolException || failure instanceof IOException)) {
                problems.add("the session failed with " + failure + " instead of a protocol or transport error");
            } else if (failure.getMessage() == null || failure.getMessage().isBlank()) {
                problems.add("the session failed without a message: " + failure);
            }
            MigrationRecord.Abort abort = wire.abort();
            if (abort != null && failure instanceof ProtocolException p && abort.reason() != p.reason()) {
                problems.add("the source was told " + abort + " but the session failed with " + p);
            }
            if (abort != null && abort.message().isBlank()) {
                problems.add("ABORT without a message");
            }
            return problems;
        }
    }

    /**
     * Plays the source: connects, passes the handshake on a bulk connection for migration {@code id},
     * writes {@code afterHandshake} (as far as the destination lets it), ends its side of the stream,
     * reads until the destination closes, and returns how the session ended.
     */
    public SourceEnding playSource(UUID id, byte[] afterHandshake, int waitMillis) throws Exception {
        try (RawPeer source = RawPeer.connect(address(), waitMillis)) {
            source.handshakeAsSource(id, MigrationRecord.Channel.BULK, secret);
            try {
                source.sendBytes(afterHandshake);
                source.shutdownOutput();
            } catch (IOException e) {
                // the destination hung up first: fine, as long as it says why
            }
            RawPeer.Ending wire = source.readUntilClosed();
            return new SourceEnding(wire, failure(id, waitMillis));
        }
    }

    /**
     * Waits (bounded) until no vCPU thread of a guest that arrived here (in any destination of this JVM) is
     * left, and returns those that are, each with where it stands.
     */
    public static List<String> vcpuThreadsLeftAfter(long waitMillis) throws InterruptedException {
        return vcpuThreadsLeftAfter(waitMillis, java.util.Set.of());
    }

    /** The names of the vCPU threads of guests that arrived in this JVM and still run. */
    public static java.util.Set<String> incomingVcpuThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(LoopbackDestination::isIncomingVcpu)
                .map(Thread::getName).collect(java.util.stream.Collectors.toSet());
    }

    private static boolean isIncomingVcpu(Thread thread) {
        return thread.getName().startsWith(MigratableMachine.INCOMING_VCPU_THREAD_PREFIX);
    }

    /** As {@link #vcpuThreadsLeftAfter(long)}, except the threads named in {@code before} (another test's). */
    public static List<String> vcpuThreadsLeftAfter(long waitMillis, java.util.Set<String> before)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            List<String> alive = ThreadStacks.of(thread -> isIncomingVcpu(thread)
                    && !before.contains(thread.getName()), 12);
            if (alive.isEmpty() || System.nanoTime() > deadline) {
                return alive;
            }
            Thread.sleep(20);
        }
    }

    /** Every session opened so far. */
    public List<DestinationSession> sessions() {
        return sessions.values().stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
    }

    @Override
    public void close() {
        server.close();
    }
}
