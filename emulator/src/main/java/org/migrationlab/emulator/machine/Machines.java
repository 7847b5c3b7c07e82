package org.migrationlab.emulator.machine;

import org.migrationlab.emulator.devices.DeviceFactory;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.Migratable;

/**
 * Builds {@link MigratableMachine}s with the built-in devices plus the given extra ones (the balloon,
 * from its own module). Immutable; shared by both ends of a migration.
 */
public final class Machines implements GuestFactory {
    private final DeviceFactory[] extraDevices;

    public Machines(DeviceFactory... extraDevices) {
        this.extraDevices = extraDevices.clone();
    }

    @Override
    public Migratable boot(MachineConfig config, GuestImage image) {
        return new MigratableMachine(Machine.boot(config, image, extraDevices));
    }

    @Override
    public Migratable empty(MachineConfig config) {
        return new MigratableMachine(Machine.empty(config, extraDevices));
    }
}
