package org.migrationlab.emulator.machine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.migrationlab.emulator.port.Migratable;

/**
 * Test-only access behind the port: runs a read of the whole {@link Machine} on a migratable machine's
 * vCPU thread at a clean pause (or directly, before it started or once its vCPU stopped), and parks a
 * guest where a test wants it held. Tests use it to check invariants inside guest memory and to hold a
 * live guest at a known point; production code has only the port's named commands.
 */
public final class MachineProbes {
    private MachineProbes() {
    }

    public static <T> CompletableFuture<T> read(Migratable guest, Function<Machine, T> probe) {
        MigratableMachine machine = (MigratableMachine) guest;
        return machine.probe(probe);
    }

    /** The machine behind the port, for a test that owns it outright (not started, or its vCPU stopped). */
    public static Machine machineOf(Migratable guest) {
        return ((MigratableMachine) guest).machine();
    }
}
