package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.guest.GuestImages;

/**
 * {@code exits} counts every hypercall, by device, although devices serve nearly all of them inside the
 * engine's hook without ending a slice: the counter example makes an exact, known number of them.
 */
class ExitCountsTest {
    private static final long RAM = 16L << 20;

    @Test
    void helloMakesOneConsoleWriteAndOneExit() {
        GuestImage hello = ImageLoader.load(GuestImages.HELLO_ELF, GuestImages.load(GuestImages.HELLO_ELF), ImageFormat.ELF);
        try (Machine machine = Machine.boot(MachineConfig.of(RAM, BootArgs.of("", 0)), hello)) {
            assertThat(machine.run()).isEqualTo(new VcpuExit.Halt(42, 0));
            assertThat(machine.exits().asMap()).containsExactly(
                    Map.entry("page-fault", 0L), Map.entry("dirty-log-fault", 0L),
                    Map.entry("hypercall", 2L), Map.entry("hypercall-exit", 1L), Map.entry("hypercall-console", 1L),
                    Map.entry("hypercall-clock", 0L), Map.entry("hypercall-counters", 0L),
                    Map.entry("hypercall-ring", 0L), Map.entry("hypercall-stream", 0L),
                    Map.entry("host-return", 0L), Map.entry("halt", 1L), Map.entry("pause", 0L),
                    Map.entry("guest-crash", 0L), Map.entry("error", 0L));
        }
    }

    @Test
    void everyHypercallOfTheCounterExampleIsCountedUnderItsDevice() {
        GuestImage counter = ImageLoader.load(GuestImages.COUNTER_ELF, GuestImages.load(GuestImages.COUNTER_ELF),
                ImageFormat.ELF);
        BootArgs args = new BootArgs("", Map.of("pages", "128", "passes", "3"), 1);
        try (Machine machine = Machine.boot(MachineConfig.of(RAM, args), counter)) {
            machine.memory().dirtyLog().start(DirtyLogMode.WRITE_PROTECT); // faults that end slices, too
            assertThat(machine.run()).isInstanceOf(VcpuExit.Halt.class);
            Map<String, Long> exits = machine.exits().asMap();
            // Per pass: 128 / 64 = 2 progress reports, the report of the rest (0 units) and one pass.
            assertThat(exits).containsEntry("hypercall-counters", 3L * 4)
                    .containsEntry("hypercall-console", 1L + 3 + 1) // start, a line per pass, done
                    .containsEntry("hypercall-exit", 1L)
                    .containsEntry("hypercall", 12L + 5 + 1)
                    .containsEntry("host-return", 0L);
            assertThat(exits.get("dirty-log-fault")).isPositive().isEqualTo(exits.get("page-fault"));
            assertThat(machine.exits().hypercalls()).isEqualTo(18);
        }
    }

    @Test
    void kernelRunsCountTheirProgressReports() {
        try (Machine machine = KernelGuests.boot(KernelGuests.config(RAM, "wss", 1, "wss=1M", "passes=2"))) {
            KernelGuests.runToEnd(machine);
            Map<String, Long> exits = machine.exits().asMap();
            long perDevice = exits.entrySet().stream().filter(e -> e.getKey().startsWith("hypercall-"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertThat(exits.get("hypercall")).isEqualTo(perDevice).isGreaterThan(machine.slices());
            assertThat(exits.get("hypercall-counters")).isPositive();
        }
    }
}
