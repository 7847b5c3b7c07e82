package org.migrationlab.migration.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;

/**
 * A destination that misbehaves on purpose, played by hand over plain sockets on 127.0.0.1: it passes
 * (or fails) the handshake like a real one, then follows its {@link Behaviour} on the bulk connection;
 * an urgent connection is only drained. For tests that the source keeps its guest whatever the
 * destination does. Closing it releases a stalled destination and closes every socket.
 */
public final class FakeDestination implements AutoCloseable {
    /** Frames of the source (GUEST_CONFIG included) a misbehaving destination reads before it acts. */
    public static final int FRAMES_BEFORE_ACTING = 4;
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    /** What the destination does after the handshake on the bulk connection. */
    public enum Behaviour {
        /** Hangs up (orderly end of stream) right after the handshake. */
        CLOSE_BEFORE_CONFIG,
        /** Reads some pages, then hangs up. */
        CLOSE_AFTER_PAGES,
        /** Reads some pages, then resets the connection. */
        RESET_AFTER_PAGES,
        /** Reads some pages, then sends ABORT(BAD_CRC) and reads on until the source hangs up. */
        ABORT_AFTER_PAGES,
        /** Reads some pages, then sends seeded random bytes and ends its side of the stream. */
        GARBAGE_AFTER_PAGES,
        /** Reads some pages, then a page request, which a destination may only send after the switch-over. */
        PAGE_REQUEST_DURING_PRECOPY,
        /** Says READY and then RESUMED right after GUEST_CONFIG, although no SWITCH_OVER came, and reads on. */
        RESUMED_BEFORE_SWITCH_OVER,
        /** Reads some pages, then stops reading (the source's sends back up) until it is closed. */
        STALL_AFTER_PAGES,
        /** Reads everything and never answers, not even GUEST_CONFIG with READY. */
        SILENT,
        /** Takes the guest (RESUMED after SWITCH_OVER), then asks for a page far beyond the guest's RAM. */
        REQUEST_BEYOND_RAM_AFTER_RESUMED,
        /** Takes the guest, asks for page 5 twice, then reads on (counting page 5's copies) and never completes. */
        DUPLICATE_REQUESTS_AFTER_RESUMED,
        /** Takes the guest, then sends DESTINATION_STATS whose last figure is negative. */
        GARBAGE_STATS_AFTER_RESUMED,
        /** Takes the guest, then reads everything and never completes. */
        SILENT_AFTER_RESUMED,
        /** Takes the guest, then stops reading (the source's push backs up) until it is closed. */
        STALL_AFTER_RESUMED
    }

    /** The page {@link Behaviour#DUPLICATE_REQUESTS_AFTER_RESUMED} asks for twice. */
    public static final long DUPLICATE_PAGE = 5;

    private final ServerSocket listener;
    private final Behaviour behaviour;
    private final byte[] secret;
    private final int helloVersion;
    private final long seed;
    private final CountDownLatch released = new CountDownLatch(1);
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

    /**
     * @param secret       the secret the destination proves (a wrong one makes the source refuse it)
     * @param helloVersion the protocol version of its HELLO
     */
    public FakeDestination(Behaviour behaviour, byte[] secret, int helloVersion, long seed) throws IOException {
        this.behaviour = behaviour;
        this.secret = secret.clone();
        this.helloVersion = helloVersion;
        this.seed = seed;
        this.listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread acceptor = Thread.ofPlatform().daemon(true).name("fake-destination-accept").start(this::acceptLoop);
        synchronized (threads) {
            threads.add(acceptor);
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** What the fake destination saw and did, for failure messages. */
    public List<String> log() {
        return List.copyOf(log);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                synchronized (threads) {
                    sockets.add(socket);
                    threads.add(Thread.ofPlatform().daemon(true).name("fake-destination-conn").start(() -> serve(socket)));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (RawPeer peer = RawPeer.accepted(socket, READ_TIMEOUT_MILLIS)) {
            MigrationRecord.Hello hello = peer.handshakeAsDestination(secret, helloVersion);
            log.add("handshake done on the " + hello.channel() + " connection");
            if (hello.channel() == Channel.URGENT) {
                log.add("urgent connection ended: " + peer.readUntilClosed().how());
                return;
            }
            act(peer);
        } catch (IOException | RuntimeException e) {
            log.add("connection ended: " + e);
        }
    }

    private void act(RawPeer peer) throws IOException {
        if (behaviour == Behaviour.CLOSE_BEFORE_CONFIG) {
            log.add("hanging up before GUEST_CONFIG");
            return;
        }
        peer.expect(MigrationRecord.GuestConfig.class);
        if (behaviour == Behaviour.SILENT) {
            RawPeer.Ending ending = peer.readUntilClosed();
            log.add("silent: read " + ending.records().size() + " more records until " + ending.how());
            return;
        }
        peer.send(new MigrationRecord.Ready());
        if (behaviour == Behaviour.RESUMED_BEFORE_SWITCH_OVER) {
            // At once, while round 0 is still on its way: a RESUMED that read some pages first could meet a
            // source fast enough to have switched over, whose guest a RESUMED may then rightly take.
            peer.send(new MigrationRecord.Resumed());
            log.add("after the early RESUMED: " + peer.readUntilClosed().how());
            return;
        }
        if (behaviour.name().endsWith("_AFTER_RESUMED")) {
            actAfterResumed(peer);
            return;
        }
        for (int i = 1; i < FRAMES_BEFORE_ACTING; i++) {
            peer.receive();
        }
        log.add("read " + FRAMES_BEFORE_ACTING + " frames; now " + behaviour);
        switch (behaviour) {
            case CLOSE_AFTER_PAGES -> peer.close();
            case RESET_AFTER_PAGES -> peer.reset();
            case ABORT_AFTER_PAGES -> {
                peer.send(new MigrationRecord.Abort(AbortReason.BAD_CRC, "page 42: CRC32C mismatch"));
                log.add("after ABORT: " + peer.readUntilClosed().how());
            }
            case GARBAGE_AFTER_PAGES -> {
                byte[] garbage = new byte[64];
                new Random(seed).nextBytes(garbage);
                peer.sendBytes(garbage);
                peer.shutdownOutput();
                log.add("after garbage: " + peer.readUntilClosed().how());
            }
            case PAGE_REQUEST_DURING_PRECOPY -> {
                peer.send(new MigrationRecord.PageRequest(7));
                log.add("after the page request: " + peer.readUntilClosed().how());
            }
            case STALL_AFTER_PAGES -> {
                try {
                    released.await(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                log.add("released from the stall");
            }
            default -> throw new AssertionError("handled above");
        }
    }

    /** Reads to the SWITCH_OVER, says RESUMED (the guest is now this side's), then misbehaves. */
    private void actAfterResumed(RawPeer peer) throws IOException {
        while (!(peer.receive() instanceof MigrationRecord.SwitchOver)) {
            // pre-copy pages and the guest's state
        }
        peer.send(new MigrationRecord.Resumed());
        log.add("took the guest; now " + behaviour);
        switch (behaviour) {
            case REQUEST_BEYOND_RAM_AFTER_RESUMED -> {
                peer.send(new MigrationRecord.PageRequest(1L << 40));
                log.add("after the request: " + peer.readUntilClosed().how());
            }
            case DUPLICATE_REQUESTS_AFTER_RESUMED -> {
                peer.send(new MigrationRecord.PageRequest(DUPLICATE_PAGE));
                peer.send(new MigrationRecord.PageRequest(DUPLICATE_PAGE));
                RawPeer.Ending ending = peer.readUntilClosed();
                long copies = ending.records().stream().filter(r -> r instanceof MigrationRecord.PageBatch)
                        .flatMapToLong(r -> java.util.Arrays.stream(((MigrationRecord.PageBatch) r).pageNumbers()))
                        .filter(page -> page == DUPLICATE_PAGE).count();
                log.add("page " + DUPLICATE_PAGE + " arrived " + copies + " times; " + ending.how());
            }
            case GARBAGE_STATS_AFTER_RESUMED -> {
                byte[] stats = RawPeer.encode(new MigrationRecord.DestinationStats(1, 2, 3, 4, 5, 6, 7));
                java.util.Arrays.fill(stats, stats.length - 8, stats.length, (byte) 0xff); // latency max -1
                peer.sendBytes(stats);
                log.add("after garbage stats: " + peer.readUntilClosed().how());
            }
            case SILENT_AFTER_RESUMED -> log.add("silent: " + peer.readUntilClosed().how());
            case STALL_AFTER_RESUMED -> {
                try {
                    released.await(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                log.add("released from the stall");
            }
            default -> throw new AssertionError(behaviour + " is not an after-RESUMED behaviour");
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        released.countDown();
        listener.close();
        List<Thread> toJoin;
        synchronized (threads) {
            for (Socket socket : sockets) {
                socket.close();
            }
            toJoin = List.copyOf(threads);
        }
        for (Thread thread : toJoin) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
