/**
 * A guest the host steers page by page ({@link org.migrationlab.emulator.dirtier.DirtierGuest}): it
 * writes exactly the pages it is told to, then stops on a fault the host chose. The tests of dirty
 * logging and fault handling and the emulator benchmarks use it. Thread: the caller's, like
 * {@link org.migrationlab.emulator.machine.Machine#run}.
 */
package org.migrationlab.emulator.dirtier;
