package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.emulator.testing.KernelGuests.Outcome;
import org.migrationlab.guest.reference.ChurnReference;
import org.migrationlab.guest.reference.IncrementerReference;
import org.migrationlab.guest.reference.KcompileReference;
import org.migrationlab.guest.reference.QuicksortReference;
import org.migrationlab.guest.reference.StreamReference;
import org.migrationlab.guest.reference.WssReference;

/** Every workload boots and ends with the result computed independently in Java, or its invariant. */
class WorkloadResultsTest {
    private static final long RAM = 64L << 20;

    private static Map<String, String> args(MachineConfig config) {
        return config.bootArgs().args();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "1; wss=4M",
            "7; wss=4M pattern=random write-ratio=0.3",
            "9; wss=2M pattern=hotcold hot=0.25 passes=3",
            "11; wss=1M write-ratio=1 passes=2"})
    void wssMatchesTheJavaReference(long seed, String args) {
        MachineConfig config = KernelGuests.config(RAM, "wss", seed, args.trim().split(" +"));
        Outcome outcome = KernelGuests.referenceRun(config);
        assertThat(outcome.status()).as(outcome.console()).isZero();
        assertThat(outcome.result()).isEqualTo(WssReference.result(seed, args(config)));
    }

    @Test
    void incrementerMatchesTheReferenceAndKeepsItsInvariant() {
        MachineConfig config = KernelGuests.config(RAM, "incrementer", 3, "range=2M", "sweeps=20");
        try (Machine machine = KernelGuests.boot(config)) {
            Outcome outcome = KernelGuests.runToEnd(machine);
            assertThat(outcome.status()).isZero();
            assertThat(outcome.result()).isEqualTo(IncrementerReference.result(args(config)));
            byte[] bytes = KernelGuests.incrementerBytes(machine);
            assertThat(bytes).hasSize(512).containsOnly((byte) 20);
            assertThat(IncrementerReference.invariantHolds(bytes)).isTrue();
        }
    }

    @Test
    void quicksortMatchesTheReference() {
        MachineConfig config = KernelGuests.config(RAM, "quicksort", 5, "procs=4", "size=1M", "rounds=2");
        Outcome outcome = KernelGuests.referenceRun(config);
        assertThat(outcome.status()).as(outcome.console()).isZero();
        assertThat(outcome.result()).isEqualTo(QuicksortReference.result(5, args(config)));
    }

    @Test
    void kcompileMatchesTheReference() {
        MachineConfig config = KernelGuests.config(RAM, "kcompile", 6, "objects=512", "ops=40000");
        Outcome outcome = KernelGuests.referenceRun(config);
        assertThat(outcome.status()).as(outcome.console()).isZero();
        assertThat(outcome.result()).isEqualTo(KcompileReference.result(6, args(config)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"1; size=16M", "12; size=4M block=64K phases=5", "13; size=1M block=4K phases=1"})
    void churnMatchesTheReference(long seed, String args) {
        MachineConfig config = KernelGuests.config(RAM, "churn", seed, args.trim().split(" +"));
        Outcome outcome = KernelGuests.referenceRun(config);
        assertThat(outcome.status()).as(outcome.console()).isZero();
        assertThat(outcome.result()).isEqualTo(ChurnReference.result(seed, args(config)));
    }

    @Test
    void kvstoreAnswersEveryRequestAsTheHostModelExpects() {
        MachineConfig config = KernelGuests.config(RAM, "kvstore", 8, "requests=3000", "keys=300", "value-max=200");
        try (Machine machine = KernelGuests.boot(config)) {
            Outcome outcome = KernelGuests.runToEnd(machine);
            assertThat(outcome.status()).as(outcome.console()).isZero();
            assertThat(machine.ring().mismatches()).as(machine.ring().firstMismatch()).isZero();
            assertThat(machine.ring().replies()).isEqualTo(3000);
            assertThat(outcome.console()).contains("kvstore: done requests 3000");
        }
    }

    @Test
    void kvstoreDefaultStreamMatchesThePublishedVector() {
        Outcome outcome = KernelGuests.referenceRun(
                MachineConfig.of(RAM, new BootArgs("kvstore", Map.of(), 1)));
        assertThat(outcome.result()).isEqualTo(0x1fd6ed10b3ac6cf3L);
    }

    @Test
    void streamResultIsTheCrcOfWhatTheHostReceived() {
        MachineConfig config = KernelGuests.config(RAM, "stream", 4, "bytes=3M", "chunk=8K");
        try (Machine machine = KernelGuests.boot(config)) {
            Outcome outcome = KernelGuests.runToEnd(machine);
            assertThat(outcome.status()).isZero();
            assertThat(machine.stream().bytes()).isEqualTo(3L << 20);
            assertThat(outcome.result()).isEqualTo(machine.stream().crc32c())
                    .isEqualTo(StreamReference.result(4, args(config)));
        }
    }

    @Test
    void progressCountersAndTheVirtualClockAdvanceDeterministically() {
        MachineConfig config = KernelGuests.config(RAM, "wss", 2, "wss=1M", "passes=3");
        long[] first;
        long clock;
        try (Machine machine = KernelGuests.boot(config)) {
            KernelGuests.runToEnd(machine);
            first = machine.counters().values();
            clock = machine.clock().nanos();
        }
        assertThat(first[1]).isEqualTo(3);
        assertThat(first[0]).isEqualTo(3 * 256);
        try (Machine machine = KernelGuests.boot(config)) {
            KernelGuests.runToEnd(machine);
            assertThat(machine.counters().values()).isEqualTo(first);
            assertThat(machine.clock().nanos()).isEqualTo(clock);
        }
    }
}
