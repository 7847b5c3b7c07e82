package org.migrationlab.emulator.machine;

import org.migrationlab.emulator.devices.DeviceFactory;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.memory.GuestMemory;

import java.nio.file.Path;

/**
 * Builds {@link MigratableMachine}s with the built-in devices plus the given extra ones (the balloon,
 * from its own module). Immutable; shared by both ends of a migration.
 */
public final class Machines implements GuestFactory {
    private final DeviceFactory[] extraDevices;
    /** Where booted machines keep their RAM as a shared file mapping; null for anonymous memory. */
    private final Path ramFile;

    public Machines(DeviceFactory... extraDevices) {
        this(null, extraDevices);
    }

    private Machines(Path ramFile, DeviceFactory... extraDevices) {
        this.extraDevices = extraDevices.clone();
        this.ramFile = ramFile;
    }

    /**
     * The same factory, whose booted machines keep guest RAM in {@code file} (created or emptied at each
     * boot), so the pages outlive the process; one machine at a time may use it. Destination machines
     * ({@link #empty}) keep anonymous memory.
     */
    @Override
    public Machines withRamFile(Path file) {
        return new Machines(java.util.Objects.requireNonNull(file, "file"), extraDevices);
    }

    /** The CPU emulator these machines run on, with its version: "Unicorn 2.0.1", as reports state it. */
    public static String emulator() {
        return "Unicorn " + org.migrationlab.emulator.unicorn.Unicorn.libraryVersion();
    }

    /**
     * A guest that will never run again, over the RAM a machine of {@code config} left in {@code file}:
     * its pages can be read (a restarted source serves them), nothing else. {@code ballooned} are the pages
     * its balloon held when it stopped.
     */
    public static Migratable stored(MachineConfig config, Path file, PageBitmap ballooned) {
        return new StoredGuest(config, GuestMemory.openFile(file, config.ramBytes()), ballooned);
    }

    @Override
    public Migratable boot(MachineConfig config, GuestImage image) {
        return new MigratableMachine(Machine.boot(config, image, ramFile, extraDevices));
    }

    @Override
    public Migratable empty(MachineConfig config) {
        return new MigratableMachine(Machine.empty(config, extraDevices));
    }
}
