/**
 * Hypercall devices on reserved I/O ports (guest_abi.h): exit, console, virtual clock, progress counters,
 * request ring and stream sink. Served synchronously inside the engine's {@code out} hook on the vCPU
 * thread. Devices see guest memory only through {@link org.migrationlab.emulator.devices.HypercallContext}.
 */
package org.migrationlab.emulator.devices;
