/**
 * The balloon device on port 0xE6: {@link org.migrationlab.balloon.device.BalloonDevice} (attached to a
 * machine with {@code Machine.boot(config, image, BalloonDevice.factory(policy))}), its migratable
 * {@link org.migrationlab.balloon.device.BalloonState} with a versioned codec, and its
 * {@link org.migrationlab.balloon.device.BalloonStats}. Runs on the vCPU thread (hypercalls inside the
 * engine's hook, inflation between slices as deferred work); the freeze switch and the statistics may be
 * used from any thread. Depends on the emulator's device, memory and machine-facing API and on
 * {@code org.migrationlab.balloon.policy}.
 */
package org.migrationlab.balloon.device;
