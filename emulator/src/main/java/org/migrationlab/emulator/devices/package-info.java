/**
 * Hypercall devices on reserved I/O ports (guest_abi.h): exit, console, virtual clock, progress counters,
 * request ring and stream sink. Served synchronously inside the engine's {@code out} hook on the vCPU
 * thread. Built-in devices see guest memory only through {@link org.migrationlab.emulator.devices.HypercallContext};
 * devices added from other modules ({@link org.migrationlab.emulator.devices.DeviceFactory}, e.g. the balloon) also
 * get the machine's memory map and clock ({@link org.migrationlab.emulator.devices.DeviceResources}), and may hand
 * work that cannot run inside the hook back to the run loop ({@link org.migrationlab.emulator.devices.DeferredWork}).
 */
package org.migrationlab.emulator.devices;
