package org.migrationlab.emulator.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.guest.reference.IncrementerReference;

/**
 * A thousand pauses issued at random moments all complete, including pauses that land right as a slice
 * starts: write-protect logging, re-armed after every pause, ends a slice at every page the guest
 * writes, so slices start all the time. Each pause must leave the guest exactly where it was: the
 * incrementer's invariant holds at the end.
 */
class PauseStressTest {
    private static final int PAUSES = 1000;

    @Test
    void aThousandRandomPausesAllComplete() throws Exception {
        MachineConfig config = KernelGuests.config(64L << 20, "incrementer", 1, "range=4M", "sweeps=0");
        try (Machine machine = KernelGuests.boot(config)) {
            machine.memory().dirtyLog().start(DirtyLogMode.WRITE_PROTECT);
            AtomicLong pausesSeen = new AtomicLong();
            CountDownLatch running = new CountDownLatch(1);
            machine.counters().listener((counter, value) -> running.countDown());
            CompletableFuture<VcpuExit> vcpu = CompletableFuture.supplyAsync(() -> {
                while (true) {
                    VcpuExit exit = machine.run();
                    if (!(exit instanceof VcpuExit.Paused)) {
                        return exit;
                    }
                    if (pausesSeen.incrementAndGet() == PAUSES) {
                        return exit; // stays paused: the test inspects memory next
                    }
                    machine.memory().dirtyLog().rearmAll();
                }
            }, r -> new Thread(r, "vcpu-0").start());
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

            Random random = new Random(1234);
            for (int i = 0; i < PAUSES; i++) {
                LockSupport.parkNanos(random.nextInt(200_000));
                long ticket = machine.requestPause();
                assertThat(machine.awaitPause(ticket, 10, TimeUnit.SECONDS)).as("pause %d", i).isTrue();
            }
            assertThat(vcpu.get(10, TimeUnit.SECONDS)).isInstanceOf(VcpuExit.Paused.class);

            assertThat(pausesSeen.get()).isEqualTo(PAUSES);
            assertThat(machine.isFinished()).isFalse();
            assertThat(machine.exits().dirtyLogFaults()).isGreaterThan(PAUSES);
            assertThat(IncrementerReference.invariantHolds(KernelGuests.incrementerBytes(machine))).isTrue();
        }
    }
}
