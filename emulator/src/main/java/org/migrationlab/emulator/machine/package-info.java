/**
 * The emulator module's front door: {@link org.migrationlab.emulator.machine.Machine} (boot an image or
 * create an empty destination, run, pause, save and restore state, install pages) and its config.
 * Thread: the vCPU thread owns a machine; pause requests come from any thread.
 */
package org.migrationlab.emulator.machine;
