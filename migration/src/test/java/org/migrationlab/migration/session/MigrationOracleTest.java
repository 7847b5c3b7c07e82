package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.testing.LoopbackMigration;

class MigrationOracleTest {
    @Test
    void precopyWssEndsByteIdentical() throws Exception {
        MachineConfig config = LoopbackMigration.config(32L << 20, "wss", 3, "wss=4M", "pattern=random", "passes=1500");
        LoopbackMigration.GuestOutcome reference = LoopbackMigration.referenceRun(config);
        LoopbackMigration.Result result = LoopbackMigration.migrate(config, MigrationConfig.defaults(MigrationMode.PRECOPY), 5000);
        System.out.println(org.migrationlab.migration.stats.MigrationReportJson.render(result.report()));
        assertThat(result.report().error()).isNull();
        assertThat(result.destination()).isEqualTo(reference);
    }

    @Test
    void postcopyWssEndsByteIdentical() throws Exception {
        MachineConfig config = LoopbackMigration.config(32L << 20, "wss", 3, "wss=4M", "pattern=random", "passes=1500");
        LoopbackMigration.GuestOutcome reference = LoopbackMigration.referenceRun(config);
        LoopbackMigration.Result result = LoopbackMigration.migrate(config, MigrationConfig.defaults(MigrationMode.POSTCOPY), 5000);
        System.out.println(org.migrationlab.migration.stats.MigrationReportJson.render(result.report()));
        assertThat(result.report().error()).isNull();
        assertThat(result.destination()).isEqualTo(reference);
    }
}
