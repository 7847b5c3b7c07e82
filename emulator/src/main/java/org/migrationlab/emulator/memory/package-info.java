/**
 * Guest memory owned by Java: RAM as one off-heap segment, the host's page table over it, the state of
 * every page, dirty logging and the RAM hash oracle. Knows nothing of Unicorn: the TLB flush is injected.
 * Thread: the vCPU thread owns it; other threads may only read page contents.
 */
package org.migrationlab.emulator.memory;
