/**
 * Dynamic self-ballooning (DESIGN 6). The guest side is C in {@code src/main/c/} (linked into kernel.elf
 * by guest-images); the host side is {@link org.migrationlab.balloon.device} (the device on port 0xE6)
 * and {@link org.migrationlab.balloon.policy} (the pure policies that decide the balloon's size).
 * Depends on the emulator only.
 */
package org.migrationlab.balloon;
