package org.migrationlab.emulator.devices;

import java.util.Objects;

import org.migrationlab.emulator.memory.MemoryMap;

/**
 * Work a device hands back to the vCPU loop because it cannot be done inside the engine's {@code out}
 * hook: anything that narrows guest access to memory (present to absent, as a balloon inflation does)
 * needs a real TLB flush, and the flush runs the engine, which must not be re-entered from a hook.
 * {@link org.migrationlab.emulator.machine.Machine#run} executes it on the vCPU thread right after the
 * slice that made the hypercall ends, before the guest runs its next instruction, then goes on running
 * the guest.
 *
 * <p>A device that returns work must have validated its hypercall inside the hook (a bad one is a
 * {@link BadHypercallException} there, i.e. a guest crash): the work itself is not expected to fail, and
 * a failure is reported as a host error.
 */
@FunctionalInterface
public interface DeferredWork {
    /** Does the work with the machine's memory (vCPU thread, between slices). */
    void run(MemoryMap memory);

    /** No work: the exit is returned to {@code Machine.run}'s caller as before. */
    DeferredWork NONE = memory -> { };

    /** This work, then {@code next} (used when one slice returned to the host twice). */
    default DeferredWork andThen(DeferredWork next) {
        Objects.requireNonNull(next, "next");
        if (this == NONE) {
            return next;
        }
        if (next == NONE) {
            return this;
        }
        return memory -> {
            run(memory);
            next.run(memory);
        };
    }
}
