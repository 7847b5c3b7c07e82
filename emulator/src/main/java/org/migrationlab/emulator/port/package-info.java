/**
 * The migration port: the one narrow door through which a migration engine sees a guest machine
 * ({@link org.migrationlab.emulator.port.Migratable}), with the value types that cross it — page sets,
 * the frozen guest's state and its codec, the guest's end and summary. Modelled on Cloud Hypervisor's
 * {@code Migratable} and Firecracker's {@code Persist}: the engine asks for named things (start dirty
 * logging, harvest, freeze, restore, fill a page) and never touches the engine, the page tables or guest
 * RAM directly. Nothing here knows of networks.
 *
 * <p>Threading is stated per method; the rule of thumb: commands that change the guest run on its vCPU
 * thread at a clean pause and are asked for from any thread (they return futures); reading a page of a
 * frozen guest and filling an absent page may happen on any thread.
 */
package org.migrationlab.emulator.port;
