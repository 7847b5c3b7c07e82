package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.IntUnaryOperator;

import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * Read sizes follow the handshake: a peer that keeps every read full cannot make an unauthenticated
 * connection read more than 64 KiB at once, and once it proved the secret the reads grow to 1 MiB.
 */
class ReadSizesTest {
    private final ChannelConfig config = new EmbeddedChannel().config();

    /** Runs {@code loops} read loops whose every read fills its buffer; returns the last guess. */
    private int fullReads(RecvByteBufAllocator.Handle handle, int loops) {
        return reads(handle, loops, guess -> guess);
    }

    /** Runs {@code loops} read loops, each one read of {@code bytesRead(guess)} bytes; returns the last guess. */
    private int reads(RecvByteBufAllocator.Handle handle, int loops, IntUnaryOperator bytesRead) {
        int guess = 0;
        for (int loop = 0; loop < loops; loop++) {
            handle.reset(config);
            guess = handle.guess();
            handle.attemptedBytesRead(guess);
            handle.lastBytesRead(bytesRead.applyAsInt(guess));
            handle.incMessagesRead(1);
            handle.readComplete();
        }
        return guess;
    }

    @Test
    void readsStayAt64KiBUntilThePeerProvedTheSecretThenGrowTo1MiB() {
        ReadSizes sizes = new ReadSizes();
        RecvByteBufAllocator.Handle handle = sizes.newHandle();
        assertThat(fullReads(handle, 40)).as("unauthenticated, after 40 full reads").isEqualTo(64 << 10);
        sizes.authenticated();
        assertThat(fullReads(handle, 1)).as("the first read after the proof").isEqualTo(64 << 10);
        assertThat(fullReads(handle, 40)).as("authenticated, after 40 full reads").isEqualTo(1 << 20);
    }

    @Test
    void smallReadsShrinkTheGuessAgain() {
        ReadSizes sizes = new ReadSizes();
        sizes.authenticated();
        RecvByteBufAllocator.Handle handle = sizes.newHandle();
        fullReads(handle, 40);
        reads(handle, 40, guess -> 100);
        handle.reset(config);
        assertThat(handle.guess()).as("after 40 reads of 100 bytes").isLessThan(4096);
    }

    @Test
    void everyMigrationConnectionReadsThroughItsOwnReadSizes() {
        io.netty.channel.socket.nio.NioSocketChannel first = new io.netty.channel.socket.nio.NioSocketChannel();
        io.netty.channel.socket.nio.NioSocketChannel second = new io.netty.channel.socket.nio.NioSocketChannel();
        try {
            for (io.netty.channel.socket.nio.NioSocketChannel channel : java.util.List.of(first, second)) {
                new MigrationChannelInitializer(org.migrationlab.migration.protocol.MigrationRecord.Role.DESTINATION, null,
                        TransportConfig.of(org.migrationlab.migration.testing.LoopbackMigration.SECRET), null, null,
                        handshake -> null, new ByteCounter(), MigrationChannelInitializer.ChannelHooks.NONE,
                        PendingHandshakes.unlimited(), null).initChannel(channel);
            }
            Object firstSizes = first.config().getRecvByteBufAllocator();
            assertThat(firstSizes).isInstanceOf(ReadSizes.class).isNotSameAs(second.config().getRecvByteBufAllocator());
        } finally {
            first.unsafe().closeForcibly();
            second.unsafe().closeForcibly();
        }
    }
}
