/**
 * Plain-Java reference implementations of the guest workloads' results, written from the definitions in
 * {@code guest-images/WORKLOADS.md} and independent of the C code: given the seed and the boot arguments
 * a guest ran with, each computes the result the guest must report on exit. Tests use them as an oracle
 * that needs no emulator; {@link org.migrationlab.guest.reference.IncrementerReference} also checks the
 * incrementer's memory invariant.
 *
 * <p>Owns only per-call state; safe from any thread. Depends on nothing else in the project.
 */
package org.migrationlab.guest.reference;
