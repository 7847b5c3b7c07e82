package org.migrationlab.vmm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.migrationlab.migration.session.OperatorFence;

/**
 * How {@code vmm rollback} reaches a running {@code vmm migrate}: a Unix domain socket in the source's state
 * directory ({@value #FILE}), local to the machine and as private as the directory. One request per
 * connection, one line each way: {@code rollback [ID] REASON} in, {@code rolled-back ID: ...} or
 * {@code refused: ...} out. A thread blocks in accept; nothing polls.
 */
final class FenceSocket implements AutoCloseable {
    static final String FILE = "source.fence.sock";
    static final long ANSWER_MILLIS = TimeUnit.SECONDS.toMillis(30);
    private static final int MAX_LINE = 1024;

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private FenceSocket(Path path, ServerSocketChannel server, OperatorFence fence) {
        this.path = path;
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon(true).name("fence-socket").start(() -> serve(fence));
    }

    /** Listens in {@code stateDir}; null without a state directory (the operator then has no fence). */
    static FenceSocket open(Path stateDir, OperatorFence fence) {
        if (stateDir == null) {
            return null;
        }
        Path path = stateDir.resolve(FILE);
        try {
            if (Files.exists(path) && answersAlready(path)) {
                throw new UserInputException("--state-dir " + stateDir + ": another vmm migrate runs on this state"
                        + " directory (its fence socket " + FILE + " answers)");
            }
            Files.deleteIfExists(path); // left by a source that was killed
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            return new FenceSocket(path, server, fence);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the fence socket " + path, e);
        }
    }

    private static boolean answersAlready(Path path) {
        try (SocketChannel ignored = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void serve(OperatorFence fence) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                        StandardCharsets.UTF_8), MAX_LINE);
                Writer out = Channels.newWriter(client, StandardCharsets.UTF_8);
                out.write(answer(fence, in.readLine()) + "\n");
                out.flush();
            } catch (IOException e) {
                // the listener was closed, or one operator's connection broke: the next one is served
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** What one request line gets. */
    static String answer(OperatorFence fence, String line) throws InterruptedException {
        FenceRequest request;
        try {
            request = FenceRequest.parse(line);
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
        return switch (fence.request(request.migrationId(), request.reason(), ANSWER_MILLIS)) {
            case OperatorFence.Answer.RolledBack done -> "rolled-back " + done.migrationId() + ": " + done.detail();
            case OperatorFence.Answer.Refused refused -> "refused: " + OneLine.of(refused.why());
        };
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // gone already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request: {@code rollback [ID] REASON}, where ID is a migration id or '-' for the paused one. */
    record FenceRequest(Optional<UUID> migrationId, String reason) {
        static FenceRequest parse(String line) {
            if (line == null || !line.startsWith("rollback ")) {
                throw new IllegalArgumentException("not a fence request (expected 'rollback ID REASON')");
            }
            String[] parts = line.split(" ", 3);
            if (parts.length < 3 || parts[2].isBlank()) {
                throw new IllegalArgumentException("a fence request needs a migration id (or '-') and a reason");
            }
            Optional<UUID> id;
            try {
                id = parts[1].equals("-") ? Optional.empty() : Optional.of(UUID.fromString(parts[1]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a migration id: " + parts[1]);
            }
            return new FenceRequest(id, parts[2]);
        }

        String line() {
            return "rollback " + migrationId.map(UUID::toString).orElse("-") + " " + OneLine.of(reason);
        }
    }
}
