package org.migrationlab.emulator.port;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;

/**
 * Builds the machines migrations use. Both ends of a migration must build machines with the same
 * devices (device states are restored device by device), so both ends use the same factory.
 */
public interface GuestFactory {
    /** A machine with {@code image} loaded and every page present, not yet started. */
    Migratable boot(MachineConfig config, GuestImage image);

    /** A machine with every page absent and nothing loaded: a migration destination, not yet started. */
    Migratable empty(MachineConfig config);

    /**
     * The same factory, whose booted machines keep guest RAM in {@code file} as a shared mapping, so that their
     * pages outlive the process. Factories that cannot say so.
     */
    default GuestFactory withRamFile(java.nio.file.Path file) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot keep guest RAM in a file");
    }
}
