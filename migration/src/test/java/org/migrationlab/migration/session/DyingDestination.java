package org.migrationlab.migration.session;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A destination that dies in one JVM: when the source announces {@code kill destination at ...} (its fault
 * log, {@link #faultLog}), the listener and connections go away with no goodbye, {@code onKill} runs (a test
 * stops the dead side's vCPU there), and a new destination takes the same port. With {@code proof} the new one
 * knows, as a restarted daemon's journal would, that it lost the guest (and journals its hand-back to
 * {@code journal}); without, it remembers nothing.
 */
final class DyingDestination implements AutoCloseable {
    private final TransportConfig transport;
    private final GuestFactory machines;
    private final LoopbackDestination first;
    private final CompletableFuture<DestinationSession> incoming;
    private final AtomicReference<LoopbackDestination> second = new AtomicReference<>();
    private final AtomicBoolean dead = new AtomicBoolean();
    private final AtomicLong killedAt = new AtomicLong();
    private final Runnable onKill;

    DyingDestination(TransportConfig transport, GuestFactory machines, Runnable onKill) throws InterruptedException {
        this.transport = transport;
        this.machines = machines;
        this.onKill = onKill;
        this.first = new LoopbackDestination(transport, 1, 1L << 30, 60_000, 1_000,
                new InetSocketAddress("127.0.0.1", 0), LostGuests.NONE, machines);
        this.incoming = first.nextSession();
    }

    InetSocketAddress address() {
        return first.address();
    }

    /** The first destination's session: the one that dies. */
    CompletableFuture<DestinationSession> incoming() {
        return incoming;
    }

    /** When the kill happened (System.nanoTime), 0 before it. */
    long killedAtNanos() {
        return killedAt.get();
    }

    /** The source's fault log: carries out the kill it announces and starts the restarted destination. */
    Consumer<String> faultLog(boolean proof, OwnershipJournal journal) {
        return line -> {
            if (!line.startsWith("fault fired: kill destination")) {
                return;
            }
            Thread.ofVirtual().start(() -> {
                kill();
                try {
                    LostGuests lost = proof ? new LostGuests(Set.of(incoming.join().id()), journal) : LostGuests.NONE;
                    second.set(new LoopbackDestination(transport, 1, 1L << 30, 60_000, 1_000, first.address(), lost,
                            machines));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        };
    }

    private void kill() {
        if (dead.compareAndSet(false, true)) {
            killedAt.set(System.nanoTime());
            first.close(); // the process is gone: no ABORT, its connections just end...
            onKill.run(); // ...and whatever else dies with it
        }
    }

    @Override
    public void close() {
        kill();
        LoopbackDestination restarted = second.get();
        if (restarted != null) {
            restarted.close();
        }
    }
}
