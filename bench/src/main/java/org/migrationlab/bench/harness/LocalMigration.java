package org.migrationlab.bench.harness;

import java.nio.charset.StandardCharsets;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.TransportConfig;

/** The benchmarks' migrations: the engine's in-process migration, with guests that can balloon. */
final class LocalMigration {
    static final byte[] SECRET = "benchmark-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private LocalMigration() {
    }

    static InProcessMigration.Outcome run(MachineConfig config, GuestImage image, MigrationConfig migration,
                                          TransportConfig transport, long startAtProgress) throws Exception {
        return InProcessMigration.run(BalloonedMachines.factory(), config, image, migration, transport,
                startAtProgress);
    }

    /** As {@link #run}, the source's guest parked at {@code holdAt} of progress until the migration is over. */
    static InProcessMigration.Outcome runHeld(MachineConfig config, GuestImage image, MigrationConfig migration,
                                              TransportConfig transport, long startAtProgress, long holdAt)
            throws Exception {
        return InProcessMigration.run(BalloonedMachines.factory(), config, image, migration, transport, transport,
                startAtProgress, holdAt, InProcessMigration.Watcher.NONE);
    }
}
