/**
 * FFM binding to the system's Unicorn 2 library ({@code libunicorn.so.2}). Owns every native handle,
 * method handle, upcall stub and Unicorn constant; nothing of that leaves this package. Only the
 * emulator's {@code cpu} and {@code machine} packages may use it; the migration engine never does.
 * Thread: the vCPU thread, except {@link org.migrationlab.emulator.unicorn.Unicorn#stop()}.
 */
package org.migrationlab.emulator.unicorn;
