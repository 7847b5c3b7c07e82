package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.devices.DeferredWork;
import org.migrationlab.emulator.devices.Device;
import org.migrationlab.emulator.devices.DeviceResources;
import org.migrationlab.emulator.devices.HypercallContext;
import org.migrationlab.emulator.devices.HypercallOutcome;
import org.migrationlab.emulator.devices.Ports;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * Extra devices and work deferred to between slices: the kernel's balloon driver (dsb=on) asks a
 * stand-in device on the balloon port for a target at every wake-up; the device answers 0 (so the guest
 * never inflates) and hands back work, which the run loop executes with the machine's memory before the
 * guest goes on.
 */
class DeferredWorkTest {
    private static final long RAM = 16L << 20;
    private static final MachineConfig DSB = KernelGuests.config(RAM, "wss", 1, "wss=1M", "passes=8", "dsb=on",
            "dsb-interval=100us");

    /** Answers every query with 0 and returns to the host, with or without work. */
    static final class StandIn implements Device {
        final MemoryMap memory;
        final List<MemoryMap> workSaw = new ArrayList<>();
        int queries;
        int state;
        DeferredWork work;

        StandIn(DeviceResources resources) {
            this.memory = resources.memory();
            this.work = workSaw::add;
        }

        public int port() {
            return Ports.BALLOON;
        }

        public String name() {
            return "stand-in";
        }

        public HypercallOutcome hypercall(int operation, HypercallContext call) {
            queries++;
            call.result(0);
            return new HypercallOutcome.ReturnToHost(Ports.BALLOON, operation, work);
        }

        public org.migrationlab.emulator.port.DeviceState save() {
            return new org.migrationlab.emulator.port.DeviceState(port(), 1, new byte[] {(byte) state});
        }

        public Runnable prepareRestore(org.migrationlab.emulator.port.DeviceState saved) {
            byte loaded = saved.body()[0];
            return () -> state = loaded;
        }
    }

    @Test
    void theRunLoopExecutesDeferredWorkAndKeepsRunning() {
        try (Machine machine = Machine.boot(DSB, KernelGuests.kernel(), StandIn::new)) {
            StandIn device = machine.device(StandIn.class).orElseThrow();
            assertThat(device.memory).isSameAs(machine.memory());
            VcpuExit exit = machine.run();
            assertThat(exit).isEqualTo(new VcpuExit.Halt(KernelGuests.referenceRun(
                    KernelGuests.config(RAM, "wss", 1, "wss=1M", "passes=8")).result(), 0));
            assertThat(device.queries).isGreaterThan(10);
            assertThat(device.workSaw).hasSize(device.queries).allSatisfy(m -> assertThat(m).isSameAs(machine.memory()));
            assertThat(machine.exits().asMap()).containsEntry("host-return", (long) device.queries)
                    .containsEntry("hypercall-stand-in", (long) device.queries);
        }
    }

    @Test
    void aReturnWithoutWorkStillReachesTheCaller() {
        try (Machine machine = Machine.boot(DSB, KernelGuests.kernel(), StandIn::new)) {
            StandIn device = machine.device(StandIn.class).orElseThrow();
            device.work = DeferredWork.NONE;
            int returns = 0;
            VcpuExit exit;
            while ((exit = machine.run()) instanceof VcpuExit.Hypercall hypercall) {
                assertThat(hypercall.port()).isEqualTo(Ports.BALLOON);
                returns++;
            }
            assertThat(exit).isInstanceOf(VcpuExit.Halt.class);
            assertThat(returns).isEqualTo(device.queries).isGreaterThan(10);
        }
    }

    @Test
    void failingWorkIsAHostErrorThatEndsTheMachine() {
        try (Machine machine = Machine.boot(DSB, KernelGuests.kernel(), StandIn::new)) {
            machine.device(StandIn.class).orElseThrow().work = memory -> {
                throw new IllegalStateException("boom");
            };
            assertThat(machine.run()).isInstanceOfSatisfying(VcpuExit.Error.class,
                    error -> assertThat(error.cause()).hasMessageContaining("port 0xe6").hasRootCauseMessage("boom"));
            assertThat(machine.isFinished()).isTrue();
        }
    }

    @Test
    void extraDevicesSaveAndRestoreWithTheOthers() {
        try (Machine source = Machine.boot(DSB, KernelGuests.kernel(), StandIn::new);
             Machine destination = Machine.empty(DSB, StandIn::new);
             Machine plain = Machine.boot(DSB, KernelGuests.kernel())) {
            source.device(StandIn.class).orElseThrow().state = 42;
            destination.restoreDevices(source.saveDevices());
            assertThat(destination.device(StandIn.class).orElseThrow().state).isEqualTo(42);
            assertThat(plain.device(StandIn.class)).isEmpty();
        }
    }

    @Test
    void workOfTwoReturnsInOneSliceRunsInOrder() {
        List<String> log = new ArrayList<>();
        DeferredWork first = memory -> log.add("first");
        DeferredWork both = first.andThen(memory -> log.add("second"));
        both.run(null);
        assertThat(log).containsExactly("first", "second");
        assertThat(DeferredWork.NONE.andThen(first)).isSameAs(first);
        assertThat(first.andThen(DeferredWork.NONE)).isSameAs(first);
    }
}
