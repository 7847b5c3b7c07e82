/**
 * Dynamic self-ballooning, host side: the guest lends its free pages to the host so that a migration
 * need not send them. The guest side is the kernel's driver in guest-images
 * ({@code src/main/c/drivers/balloon.c}, linked into kernel.elf); this module is
 * {@link org.migrationlab.balloon.device} (the device on port 0xE6) and
 * {@link org.migrationlab.balloon.policy} (the pure policies that decide the balloon's size).
 * Depends on the emulator only (its tests also boot the guest kernel from guest-images).
 */
package org.migrationlab.balloon;
