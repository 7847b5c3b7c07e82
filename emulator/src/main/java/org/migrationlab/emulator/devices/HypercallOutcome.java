package org.migrationlab.emulator.devices;

import java.util.Objects;

/** What the vCPU loop does after a device served a hypercall. */
public sealed interface HypercallOutcome {
    /** Go on running the guest (the common case: the device finished inside the hook). */
    record Continue() implements HypercallOutcome {
    }

    /** The guest exited with a result. */
    record Exit(long result, long status) implements HypercallOutcome {
    }

    /**
     * Return to the host between slices (for work that cannot be done inside a hook). With
     * {@link DeferredWork#NONE} the machine's run loop returns the hypercall exit to its caller; with
     * real work the run loop executes the work and goes on running the guest.
     */
    record ReturnToHost(int port, int operation, DeferredWork work) implements HypercallOutcome {
        public ReturnToHost {
            Objects.requireNonNull(work, "work");
        }

        /** Return to the host with no deferred work: the caller of the run loop handles the exit. */
        public ReturnToHost(int port, int operation) {
            this(port, operation, DeferredWork.NONE);
        }
    }

    HypercallOutcome CONTINUE = new Continue();
}
