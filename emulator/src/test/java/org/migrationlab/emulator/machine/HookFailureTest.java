package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.devices.Device;
import org.migrationlab.emulator.devices.DeviceResources;
import org.migrationlab.emulator.devices.HypercallContext;
import org.migrationlab.emulator.devices.HypercallOutcome;
import org.migrationlab.emulator.devices.Ports;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * Hooks are upcalls from native code, where an escaping exception would end the JVM: a device that
 * throws inside the engine's {@code out} hook ends the run with an error exit that carries the exception,
 * and the JVM and the next machine carry on.
 */
class HookFailureTest {
    private static final long RAM = 16L << 20;

    /** A balloon stand-in that fails at its first hypercall. */
    static final class Failing implements Device {
        Failing(DeviceResources resources) {
        }

        public int port() {
            return Ports.BALLOON;
        }

        public String name() {
            return "failing";
        }

        public HypercallOutcome hypercall(int operation, HypercallContext call) {
            throw new IllegalStateException("device bug");
        }

        public org.migrationlab.emulator.port.DeviceState save() {
            return new org.migrationlab.emulator.port.DeviceState(port(), 1, new byte[0]);
        }

        public Runnable prepareRestore(org.migrationlab.emulator.port.DeviceState state) {
            return () -> { };
        }
    }

    @Test
    void aDeviceThatThrowsInsideTheHookEndsTheRunWithAnErrorExit() {
        MachineConfig dsb = KernelGuests.config(RAM, "wss", 1, "wss=1M", "dsb=on", "dsb-interval=100us");
        try (Machine machine = Machine.boot(dsb, KernelGuests.kernel(), Failing::new)) {
            VcpuExit exit = machine.run();
            assertThat(exit).isInstanceOfSatisfying(VcpuExit.Error.class, error -> assertThat(error.cause())
                    .isInstanceOf(IllegalStateException.class).hasMessage("device bug"));
            assertThat(machine.isFinished()).isTrue();
            assertThat(machine.exits().asMap()).containsEntry("hypercall-failing", 1L).containsEntry("error", 1L);
        }
        try (Machine next = KernelGuests.boot(KernelGuests.config(RAM, "wss", 1, "wss=1M"))) {
            assertThat(next.run()).isInstanceOf(VcpuExit.Halt.class);
        }
    }
}
