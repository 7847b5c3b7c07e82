/**
 * Guest images (ELF64 and flat) and the boot-info page with the guest's boot arguments. Pure data and
 * validation; loading into RAM is the machine's job.
 */
package org.migrationlab.emulator.image;
