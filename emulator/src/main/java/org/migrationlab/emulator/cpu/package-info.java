/**
 * The vCPU: slices of guest execution ending in typed exits, pause from any thread, the TLB flush stub,
 * and CPU state capture/restore with its binary codec. Thread: the vCPU thread owns a {@code Vcpu};
 * only pause requests come from other threads.
 */
package org.migrationlab.emulator.cpu;
