package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.session.OperatorFence;

/**
 * The fence socket's two ends in this JVM: {@link FenceSocket#ask} (what {@code vmm rollback} runs) or a bare
 * JDK client, which sees the bytes on the wire, against a listener whose answers are a fake's. Every exchange
 * checks the answer line itself, so a listener that answers nothing fails each test.
 */
@Timeout(30)
@ExtendWith(NoLeaks.class)
class FenceSocketTest {
    private static final UUID ID = UUID.fromString("3f2a0c1e-8b7d-4e6f-9a10-2b3c4d5e6f70");
    private static final String ROLLED_BACK = "rolled-back " + ID + ": the guest runs here again";

    @TempDir
    Path dir;

    /** The clients that wait for an answer while the test goes on (the common pool may have one thread). */
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    /** The lines the fake was asked; bounded, a test sends a handful. */
    private final BlockingQueue<String> asked = new ArrayBlockingQueue<>(16);

    @AfterEach
    void endClients() {
        clients.shutdownNow();
    }

    private FenceSocket.Answers rollsBack() {
        return line -> {
            asked.add(line);
            return ROLLED_BACK;
        };
    }

    @Test
    void aRequestGetsItsOneAnswerLineAndTheConnectionCloses() throws Exception {
        try (FenceSocket ignored = FenceSocket.open(dir, rollsBack(), FenceSocket.REQUEST_MILLIS)) {
            String request = new FenceRequest(Optional.of(ID), "host b lost its disks").line();
            assertThat(FenceClient.ask(dir.resolve(FenceSocket.FILE), request)).isEqualTo(ROLLED_BACK);
            assertThat(asked.poll()).isEqualTo("rollback " + ID + " host b lost its disks");

            // The wire itself: one line in, one line out, then the end of the stream.
            assertThat(exchange(dir, "rollback - why\r\n")).isEqualTo(ROLLED_BACK + "\n");
            assertThat(asked.poll()).isEqualTo("rollback - why");
        }
    }

    @Test
    void theRealFenceRefusesOutsidePostcopyPausedAndAGarbledRequestIsRefused() throws Exception {
        try (FenceSocket ignored = FenceSocket.open(dir, new OperatorFence())) {
            Path socket = dir.resolve(FenceSocket.FILE);
            assertThat(FenceClient.ask(socket, new FenceRequest(Optional.empty(), "test").line()))
                    .startsWith("refused: no migration of this source is in postcopy-paused");
            assertThat(FenceClient.ask(socket, "hello")).isEqualTo(
                    "refused: not a fence request (expected 'rollback ID REASON')");
        }
    }

    @Test
    void anOverLongLineIsRefusedAndALineOfTheLimitIsTaken() throws Exception {
        try (FenceSocket ignored = FenceSocket.open(dir, rollsBack(), FenceSocket.REQUEST_MILLIS)) {
            String overLong = "rollback - " + "x".repeat(FenceSocket.MAX_LINE) + "\n";
            assertThat(exchange(dir, overLong)).isEqualTo(
                    "refused: a fence request is one line of at most " + FenceSocket.MAX_LINE + " bytes\n");
            assertThat(asked).isEmpty();

            String atTheLimit = "rollback - " + "x".repeat(FenceSocket.MAX_LINE - "rollback - ".length());
            assertThat(exchange(dir, atTheLimit + "\n")).isEqualTo(ROLLED_BACK + "\n");
            assertThat(asked.poll()).isEqualTo(atTheLimit);
        }
    }

    @Test
    void aSilentConnectionIsRefusedAndClosedAtTheRequestDeadline() throws Exception {
        long deadlineMillis = 300;
        try (FenceSocket ignored = FenceSocket.open(dir, rollsBack(), deadlineMillis)) {
            long start = System.nanoTime();
            String got = exchange(dir, "");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(got).isEqualTo("refused: no request within " + deadlineMillis + " ms\n");
            assertThat(millis).isBetween(deadlineMillis, 20 * deadlineMillis);
            // Half a line is no request either: the deadline is the request's, not an idle time.
            assertThat(exchange(dir, "rollback - no line end")).isEqualTo(
                    "refused: no request within " + deadlineMillis + " ms\n");
            assertThat(asked).isEmpty();
        }
    }

    @Test
    void aSecondOpenOnTheSameStateDirIsRefusedWhileTheFirstAnswers() throws Exception {
        try (FenceSocket ignored = FenceSocket.open(dir, rollsBack(), FenceSocket.REQUEST_MILLIS)) {
            assertThatThrownBy(() -> FenceSocket.open(dir, rollsBack(), FenceSocket.REQUEST_MILLIS))
                    .isInstanceOf(UserInputException.class)
                    .hasMessageContaining("another vmm migrate runs on this state directory (its fence socket "
                            + FenceSocket.FILE + " answers)");
            // The refused one left the first's socket in place, and the first still answers.
            assertThat(exchange(dir, "rollback - still there\n")).isEqualTo(ROLLED_BACK + "\n");
        }
        assertThat(dir.resolve(FenceSocket.FILE)).doesNotExist();
    }

    @Test
    void aStaleSocketFileLeftByAKilledSourceIsReplaced() throws Exception {
        Path socket = dir.resolve(FenceSocket.FILE);
        try (ServerSocketChannel killed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            killed.bind(UnixDomainSocketAddress.of(socket)); // the JDK leaves the file behind, as a kill does
        }
        assertThat(socket).exists();
        try (FenceSocket ignored = FenceSocket.open(dir, rollsBack(), FenceSocket.REQUEST_MILLIS)) {
            assertThat(FenceClient.ask(socket, "rollback - after a kill")).isEqualTo(ROLLED_BACK);
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aFenceThatBlocksHoldsUpNeitherTheEventLoopNorAnotherConnection() throws Exception {
        CountDownLatch slowTaken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FenceSocket.Answers answers = line -> {
            if (line.contains("slow")) {
                slowTaken.countDown();
                release.await();
                return "refused: slow";
            }
            return ROLLED_BACK;
        };
        try (FenceSocket ignored = FenceSocket.open(dir, answers, FenceSocket.REQUEST_MILLIS)) {
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(
                    () -> uncheckedExchange(dir, "rollback - slow\n"), clients);
            try {
                assertThat(slowTaken.await(10, TimeUnit.SECONDS)).isTrue();
                // Answered while the slow fence still blocks: a fence run on the event loop would hold this up.
                CompletableFuture<String> fast = CompletableFuture.supplyAsync(
                        () -> uncheckedExchange(dir, "rollback - fast\n"), clients);
                assertThat(fast.get(10, TimeUnit.SECONDS)).isEqualTo(ROLLED_BACK + "\n");
                assertThat(slow).isNotDone();
            } finally {
                release.countDown();
            }
            assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("refused: slow\n");
        }
    }

    @Test
    void closingAnswersAPendingFenceEndsItsThreadsAndRemovesTheSocket() throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        FenceSocket.Answers blocks = line -> {
            taken.countDown();
            new CountDownLatch(1).await(); // a session that never answers: only close ends it
            return ROLLED_BACK;
        };
        FenceSocket socket = FenceSocket.open(dir, blocks, FenceSocket.REQUEST_MILLIS);
        CompletableFuture<String> pending = CompletableFuture.supplyAsync(
                () -> uncheckedExchange(dir, "rollback - x\n"), clients);
        assertThat(taken.await(10, TimeUnit.SECONDS)).isTrue();
        socket.close();
        assertThat(pending.get(10, TimeUnit.SECONDS)).isEqualTo("refused: the vmm migrate is ending\n");
        assertThat(dir.resolve(FenceSocket.FILE)).doesNotExist();
        // Netty completes its termination just before its thread exits: the join is bounded, nothing polls.
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("fence-")) {
                thread.join(5_000);
                assertThat(thread.isAlive()).as(thread.getName()).isFalse();
            }
        }
    }

    @Test
    void oneConnectionMoreThanTheCapIsRefusedAtOnce() throws Exception {
        List<SocketChannel> silent = new ArrayList<>();
        try (FenceSocket ignored = FenceSocket.open(dir, rollsBack(), FenceSocket.REQUEST_MILLIS)) {
            for (int i = 0; i < FenceSocket.MAX_CONNECTIONS; i++) {
                silent.add(SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve(FenceSocket.FILE))));
            }
            assertThat(exchange(dir, "rollback - one too many\n")).isEqualTo(
                    "refused: too many fence connections at once (" + FenceSocket.MAX_CONNECTIONS + "): try again\n");
        } finally {
            for (SocketChannel channel : silent) {
                channel.close();
            }
        }
    }

    /** Sends {@code request} as it is and returns every byte the listener sent until it closed. */
    private static String exchange(Path dir, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve(FenceSocket.FILE)))) {
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            try {
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                // a listener that refuses at accept may have answered and closed before our request: read the answer
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            try {
                while (channel.read(in.clear()) >= 0) {
                    got.write(in.array(), 0, in.position());
                }
            } catch (IOException e) {
                // a listener that closes with our bytes unread resets the connection after its answer
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    private static String uncheckedExchange(Path dir, String request) {
        try {
            return exchange(dir, request);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
