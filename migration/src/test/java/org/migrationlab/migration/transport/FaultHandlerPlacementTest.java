package org.migrationlab.migration.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.testing.LoopbackMigration;

/**
 * Without a fault plan no fault handler exists in a migration pipeline (injection costs nothing); with
 * one, exactly one sits between the session and the encoder. Every pipeline has its liveness handler at
 * the byte level, before the frames.
 */
class FaultHandlerPlacementTest {

    private static java.util.List<String> pipeline(FaultRun faults) {
        NioSocketChannel channel = new NioSocketChannel();
        try {
            new MigrationChannelInitializer(MigrationRecord.Role.SOURCE, MigrationRecord.Channel.BULK,
                    TransportConfig.of(LoopbackMigration.SECRET), null, UUID.randomUUID(), handshake -> null,
                    new ByteCounter(), MigrationChannelInitializer.ChannelHooks.NONE, PendingHandshakes.unlimited(),
                    faults).initChannel(channel);
            return channel.pipeline().names();
        } finally {
            channel.unsafe().closeForcibly();
        }
    }

    @Test
    void withoutAPlanThereIsNoFaultHandler() {
        assertThat(pipeline(null)).doesNotContain("faults")
                .containsSubsequence("bytes", "liveness", "frames", "encoder", "writability", "handshake", "session");
    }

    @Test
    void withAPlanOneFaultHandlerSitsBetweenTheSessionAndTheEncoder() {
        FaultRun run = new FaultRun(FaultPlan.parse("close bulk at precopy 30%"), line -> { });
        assertThat(pipeline(run)).containsSubsequence("liveness", "frames", "encoder", "faults", "writability", "session")
                .filteredOn("faults"::equals).hasSize(1);
    }
}
