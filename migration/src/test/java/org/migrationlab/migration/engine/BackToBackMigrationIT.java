package org.migrationlab.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.ForwardingMigratable;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * One guest moved back and forth, each scheme: every migration completes with a live guest (each guest,
 * wherever it runs, is held at 90 % of the run until the last migration is over, so that however slow the
 * migrations are the guest is still there for them),
 * the guest ends exactly as its unmigrated run (result, status, memory hash), and every copy it left behind
 * is given back.
 */
@Timeout(180)
class BackToBackMigrationIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(8L << 20, "wss", 12, "wss=2M",
            "pattern=seq", "write-ratio=1", "passes=2000");
    /** There, back, and there again. */
    private static final int MIGRATIONS = 3;

    @ParameterizedTest
    @EnumSource(MigrationMode.class)
    void theGuestEndsAsItsUnmigratedRunAfterMovingBackAndForth(MigrationMode mode) throws Exception {
        LoopbackMigration.Reference reference = LoopbackMigration.reference(GUEST);
        Counting machines = new Counting(LoopbackMigration.MACHINES);
        long units = reference.finalProgress();

        BackToBackMigration.Outcome outcome = BackToBackMigration.run(machines, GUEST, LoopbackMigration.KERNEL, "",
                MigrationConfig.defaults(mode), TransportConfig.of(LoopbackMigration.SECRET),
                new BackToBackMigration.Plan(units / 20, units, 20, MIGRATIONS, units * 9 / 10));

        assertThat(outcome.migrations()).as("migrations of one guest, there and back again").hasSize(MIGRATIONS)
                .allSatisfy(r -> {
                    assertThat(r.completed()).isTrue();
                    assertThat(r.scheme().mode()).isEqualTo(mode.label());
                    assertThat(r.scheme().guestEndedBeforeSwitchOver()).as("a live guest moved").isFalse();
                });
        assertThat(outcome.end()).isEqualTo(new GuestEnd.Halted(reference.outcome().result(),
                reference.outcome().status()));
        assertThat(outcome.summary().memoryHash()).as("memory hash against the unmigrated run")
                .isEqualTo(reference.outcome().memoryHash());
        assertThat(outcome.summary().progressUnits()).isEqualTo(units);
        assertThat(machines.closed.get()).as("every guest built (the source and each arrival) given back")
                .isEqualTo(machines.built.get()).isEqualTo(outcome.migrations().size() + 1);
    }

    /** Counts the guests built and the guests closed. */
    private static final class Counting implements GuestFactory {
        private final GuestFactory machines;
        final AtomicInteger built = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        Counting(GuestFactory machines) {
            this.machines = machines;
        }

        @Override
        public Migratable boot(MachineConfig config, GuestImage image) {
            return counted(machines.boot(config, image));
        }

        @Override
        public Migratable empty(MachineConfig config) {
            return counted(machines.empty(config));
        }

        private Migratable counted(Migratable guest) {
            built.incrementAndGet();
            return new ForwardingMigratable(guest) {
                @Override
                public void close() {
                    closed.incrementAndGet();
                    super.close();
                }
            };
        }
    }
}
