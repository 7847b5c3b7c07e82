package org.migrationlab.emulator.devices;

/**
 * Builds an extra device for a machine once the machine's memory and clock exist, e.g. the balloon
 * device of the balloon-driver module. Extra devices are attached after the built-in ones, in the
 * order given, and their state is saved and restored with the others, so a destination machine needs
 * the same extra devices as its source.
 */
@FunctionalInterface
public interface DeviceFactory {
    Device create(DeviceResources resources);
}
