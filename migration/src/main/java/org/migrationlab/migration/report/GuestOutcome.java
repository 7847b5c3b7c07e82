package org.migrationlab.migration.report;

/** How a guest run ended. Mirrors the terminal vCPU exits without depending on the emulator's types. */
public sealed interface GuestOutcome {

    /** The guest exited through the exit device with a result and a status (0 = success). */
    record Halted(long result, long status) implements GuestOutcome {
    }

    /**
     * The guest could not continue: a CPU exception, a bad hypercall, an access outside RAM.
     *
     * @param address the faulting address, or -1 where none applies
     */
    record Crashed(String kind, long rip, long address, String message) implements GuestOutcome {
    }

    /** The host failed while running the guest (a hook threw, the engine reported an error). */
    record Failed(String message) implements GuestOutcome {
    }

    /** How reports see the guest's end that the machine reported. */
    static GuestOutcome of(org.migrationlab.emulator.port.GuestEnd end) {
        return switch (end) {
            case org.migrationlab.emulator.port.GuestEnd.Halted h -> new Halted(h.result(), h.status());
            case org.migrationlab.emulator.port.GuestEnd.Crashed c -> new Crashed(c.kind(), c.rip(), c.address(),
                    c.message());
            case org.migrationlab.emulator.port.GuestEnd.Failed f -> new Failed(f.message());
        };
    }

    /** A short word for reports: {@code halted}, {@code crashed} or {@code failed}. */
    default String word() {
        return switch (this) {
            case Halted h -> "halted";
            case Crashed c -> "crashed";
            case Failed f -> "failed";
        };
    }

    /** True only for a halt with status 0. */
    default boolean succeeded() {
        return this instanceof Halted h && h.status() == 0;
    }
}
