package org.migrationlab.migration.testing;

import java.util.function.UnaryOperator;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.Migratable;

/**
 * Builds machines with {@code factory} and wraps each one (a {@link ForwardingMigratable}, usually): how a
 * test puts a watcher or a fault between the engine and one end's guests.
 */
public record MachineDecorator(GuestFactory factory, UnaryOperator<Migratable> wrap) implements GuestFactory {
    @Override
    public Migratable boot(MachineConfig config, GuestImage image) {
        return wrap.apply(factory.boot(config, image));
    }

    @Override
    public Migratable empty(MachineConfig config) {
        return wrap.apply(factory.empty(config));
    }
}
