package org.migrationlab.emulator.devices;

/** What the vCPU loop does after a device served a hypercall. */
public sealed interface HypercallOutcome {
    /** Go on running the guest (the common case: the device finished inside the hook). */
    record Continue() implements HypercallOutcome {
    }

    /** The guest exited with a result. */
    record Exit(long result, long status) implements HypercallOutcome {
    }

    /** Return to the host between slices (for work that cannot be done inside a hook). */
    record ReturnToHost(int port, int operation) implements HypercallOutcome {
    }

    HypercallOutcome CONTINUE = new Continue();
}
