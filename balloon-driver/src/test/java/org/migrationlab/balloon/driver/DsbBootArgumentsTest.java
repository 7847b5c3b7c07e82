package org.migrationlab.balloon.driver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.migrationlab.balloon.policy.NoBalloon;
import org.migrationlab.balloon.testing.BalloonGuests;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.testing.KernelGuests;

/** The kernel's dsb=, dsb-interval= and dsb-reserve= arguments: accepted by every workload, checked like the others. */
class DsbBootArgumentsTest {
    private static final long RAM = 16L << 20;

    @ParameterizedTest
    @ValueSource(strings = {"wss:wss=1M", "incrementer:range=256K:sweeps=2", "quicksort:procs=2:size=64K:rounds=1",
            "kcompile:objects=64:ops=2000", "kvstore:requests=200", "stream:bytes=64K", "probe:touch=3",
            "churn:size=1M:block=64K:phases=2"})
    void everyWorkloadAcceptsTheBalloonArgumentsAndDsbOffChangesNothing(String spec) {
        String[] parts = spec.split(":");
        String[] workloadArgs = java.util.Arrays.copyOfRange(parts, 1, parts.length);
        String[] withDsb = java.util.Arrays.copyOf(workloadArgs, workloadArgs.length + 3);
        withDsb[workloadArgs.length] = "dsb-interval=2s";
        withDsb[workloadArgs.length + 1] = "dsb-reserve=1M";
        withDsb[workloadArgs.length + 2] = "dsb=off";
        KernelGuests.Outcome plain = KernelGuests.referenceRun(KernelGuests.config(RAM, parts[0], 4, workloadArgs));
        KernelGuests.Outcome off = KernelGuests.referenceRun(KernelGuests.config(RAM, parts[0], 4, withDsb));
        assertThat(off.status()).as(off.console()).isZero();
        assertThat(off.result()).isEqualTo(plain.result());
        assertThat(off.console()).isEqualTo(plain.console());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            dsb=yes              | dsb=yes is not on or off
            dsb-interval=5x      | dsb-interval=5x is not a duration
            dsb-interval=1.5s    | is not a duration
            dsb-interval=999ns   | shorter than 1000 ns
            dsb-interval=99999999999999999999 | is not a duration
            dsb-reserve=lots     | dsb-reserve=lots is not a size
            dsb-intervall=5s     | unknown argument 'dsb-intervall=5s'
            """)
    void badBalloonArgumentsFailWithStatus5(String arg, String message) {
        try (Machine machine = KernelGuests.boot(KernelGuests.config(RAM, "wss", 1, "wss=64K", arg))) {
            VcpuExit.Halt halt = BalloonGuests.runToHalt(machine);
            assertThat(halt.status()).isEqualTo(5);
            assertThat(machine.console().text()).contains(message);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"5s", "250ms", "100us", "1000ns", "1000"})
    void durationsTakeAUnit(String interval) {
        try (Machine machine = KernelGuests.boot(KernelGuests.config(RAM, "wss", 1, "wss=64K", "dsb-interval=" + interval))) {
            assertThat(BalloonGuests.runToHalt(machine).status()).isZero();
        }
    }

    @Test
    void withNoBalloonPolicyTheDriverAsksButNeverInflates() {
        try (Machine machine = BalloonGuests.boot(KernelGuests.config(RAM, "wss", 1, "wss=1M", "passes=8",
                "dsb=on", "dsb-interval=100us"), new NoBalloon())) {
            assertThat(BalloonGuests.runToHalt(machine).status()).isZero();
            assertThat(BalloonGuests.balloon(machine).stats().queries()).isGreaterThan(10);
            assertThat(BalloonGuests.balloon(machine).stats().inflations()).isZero();
        }
    }
}
