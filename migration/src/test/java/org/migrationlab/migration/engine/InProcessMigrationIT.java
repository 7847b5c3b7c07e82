package org.migrationlab.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.ForwardingMigratable;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The benchmarks' in-process migration gives both guests' RAM back together: the source keeps its frozen
 * copy until the migrated guest has ended at the destination, so a series of migrations does not depend on
 * when one free happened (that order alone moved post-copy's total time 1.7 times). And the outcome is still
 * the migrated guest's own: it ends as its unmigrated run does.
 */
@Timeout(120)
class InProcessMigrationIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 11, "wss=4M",
            "pattern=seq", "write-ratio=1", "passes=300");

    /** What happened to the guests, in order: "source closed", "destination ended", "destination closed". */
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void theSourceKeepsItsCopyUntilTheMigratedGuestHasEnded() throws Exception {
        LoopbackMigration.Reference reference = LoopbackMigration.reference(GUEST);

        InProcessMigration.Outcome outcome = InProcessMigration.run(new Recording(LoopbackMigration.MACHINES),
                GUEST, LoopbackMigration.KERNEL, MigrationConfig.defaults(MigrationMode.POSTCOPY),
                TransportConfig.of(LoopbackMigration.SECRET), reference.finalProgress() / 4);

        assertThat(outcome.report().completed()).isTrue();
        assertThat(outcome.destinationExit().result()).isEqualTo(reference.outcome().result());
        assertThat(outcome.destinationHash()).as("memory hash against the unmigrated run")
                .isEqualTo(reference.outcome().memoryHash());
        assertThat(events).as("the order in which the two guests ended and were given back")
                .containsExactly("destination ended", "destination closed", "source closed");
    }

    /** Wraps each guest so that its end and its close are written down. */
    private final class Recording implements GuestFactory {
        private final GuestFactory machines;

        Recording(GuestFactory machines) {
            this.machines = machines;
        }

        @Override
        public Migratable boot(MachineConfig config, GuestImage image) {
            return watched(machines.boot(config, image), "source");
        }

        @Override
        public Migratable empty(MachineConfig config) {
            Migratable destination = machines.empty(config);
            destination.ended().thenRun(() -> events.add("destination ended"));
            return watched(destination, "destination");
        }

        private Migratable watched(Migratable guest, String side) {
            return new ForwardingMigratable(guest) {
                @Override
                public void close() {
                    events.add(side + " closed");
                    super.close();
                }
            };
        }
    }
}
