package org.migrationlab.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.restart.CheckpointSink;
import org.migrationlab.migration.restart.SourceCheckpoint;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.session.OperatorFence;
import org.migrationlab.migration.step.StepGate;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * What a post-copy source tells its checkpoint sink, in order: the guest's size before the migration (so the
 * state file is laid out then, not in the downtime), the switch-over beginning, the checkpoint, and the
 * switch-over's end once the destination resumed (the disk flushes held meanwhile may start).
 */
@Timeout(120)
class CheckpointEventsIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 47, "wss=4M",
            "pattern=seq", "passes=400");

    @Test
    void theSinkHearsPrepareThenTheSwitchOverAroundItsCheckpoint() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CheckpointSink sink = new CheckpointSink() {
            @Override
            public void prepare(long guestPages) {
                events.add("prepare " + guestPages);
            }

            @Override
            public void save(SourceCheckpoint checkpoint) {
                events.add("save " + checkpoint.mode());
            }

            @Override
            public void switchOverBegins() {
                events.add("switch-over begins");
            }

            @Override
            public void switchOverEnded() {
                events.add("switch-over ended");
            }
        };
        TransportConfig transport = TransportConfig.of(LoopbackMigration.SECRET);
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 1, 1L << 30, 60_000);
             MigrationClient client = new MigrationClient(transport, line -> { })) {
            SourceOutcome outcome = OutgoingMigration.run(new OutgoingMigration.Request(LoopbackMigration.MACHINES,
                    GUEST, LoopbackMigration.KERNEL, new StartTrigger.AtProgress(1),
                    MigrationConfig.defaults(MigrationMode.POSTCOPY), client, destination.address(),
                    transport.replyTimeoutMillis()), new OutgoingMigration.Observer() {
                    }, OwnershipJournal.NONE, Retries.NONE, StepGate.OPEN, new OperatorFence(), sink);
            assertThat(outcome).isInstanceOf(SourceOutcome.Migrated.class);
            DestinationSession arrived = destination.sessions().getFirst();
            arrived.arrival().get(30, TimeUnit.SECONDS);
            IncomingMigration.receive(arrived, new IncomingMigration.Observer() {
            });
        }
        assertThat(events).containsExactly("prepare " + (16L << 20) / 4096, "switch-over begins", "save POSTCOPY",
                "switch-over ended");
    }
}
