/**
 * The guest images built from {@code guest-images/src/main/c} (the kernel with every workload, and the
 * example user guest), found on the classpath by {@link org.migrationlab.guest.GuestImages}.
 *
 * <p>Owns nothing mutable; safe from any thread. Depends on nothing else in the project: the emulator
 * depends on this module, never the other way round.
 */
package org.migrationlab.guest;
