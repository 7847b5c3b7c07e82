package org.migrationlab.emulator.devices;

import java.util.Objects;

import org.migrationlab.emulator.memory.MemoryMap;

/**
 * What a machine lends to a device added from outside the emulator (see {@link DeviceFactory}): its
 * memory map and its virtual clock. Both belong to the vCPU thread; a device uses them inside its
 * hypercalls (which run on that thread) or in the {@link DeferredWork} it returns.
 */
public record DeviceResources(MemoryMap memory, VirtualClock clock) {
    public DeviceResources {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(clock, "clock");
    }
}
