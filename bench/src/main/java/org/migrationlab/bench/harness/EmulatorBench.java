package org.migrationlab.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.dirtier.DirtierGuest;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.FaultHandler;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.guest.GuestImages;

/**
 * Measures the emulator substrate (the emulator-foundation benchmarks) and prints the figures:
 * guest speed with host paging on vs off, in-process demand-fault latency, dirty-logging costs of both
 * ways and the cost to re-arm a 1 GiB guest. Page copying is measured by {@code PageCopyBenchmark} (JMH).
 * Figures are printed (and written as JSON with {@code --json FILE}), never asserted.
 */
public final class EmulatorBench {
    /** Figure name to value, in the order measured: the {@code --json} file's one object. */
    final Map<String, Double> figures = new LinkedHashMap<>();
    private final BenchSize size;

    EmulatorBench(BenchSize size) {
        this.size = size;
    }

    public static void main(String[] args) throws Exception {
        EmulatorBench bench = new EmulatorBench(BenchSize.FULL);
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--json") && i + 1 < args.length) {
                json = Path.of(args[++i]);
            }
        }
        bench.run();
        if (json != null) {
            Files.writeString(json, BenchJson.line(bench.figures) + "\n");
            System.out.println("wrote " + json);
        }
    }

    /** Every section, its figures printed and put in {@link #figures}. */
    void run() {
        pagingCost();
        demandFaultLatency();
        dirtyLogging();
    }

    private void record(String key, double value, String line) {
        figures.put(key, value);
        System.out.println(line);
    }

    // ---- 1. guest speed, host paging on vs off

    private void pagingCost() {
        System.out.printf("== guest speed with host paging vs without (median of %d runs after 2 warm-ups)%n",
                size.pick(7, 1));
        GuestImage loadLoop = benchGuest("loadloop.bin");
        GuestImage kernel = ImageLoader.load("kernel.elf", GuestImages.kernel(), ImageFormat.ELF);
        compare("load-loop", loadLoop, BootArgs.of("", 0), 64L << 20);
        String ws = size.pick("64M", "2M");
        for (String pattern : new String[] {"seq", "hotcold", "random"}) {
            BootArgs wss = new BootArgs("wss", Map.of("wss", ws, "write-ratio", "0.5", "pattern", pattern,
                    "passes", "12"), 1);
            compare("wss-" + ws + "-" + pattern, kernel, wss, size.pick(256L << 20, 16L << 20));
        }
    }

    private void compare(String name, GuestImage image, BootArgs args, long ram) {
        int runs = 2 + size.pick(7, 1);
        long[] on = new long[runs];
        long[] off = new long[runs];
        for (int i = 0; i < runs; i++) {
            on[i] = timeRun(image, args, ram, MachineConfig.Paging.HOST_PAGE_TABLES);
            off[i] = timeRun(image, args, ram, MachineConfig.Paging.OFF);
        }
        double medianOn = Medians.of(Arrays.copyOfRange(on, 2, runs));
        double medianOff = Medians.of(Arrays.copyOfRange(off, 2, runs));
        record("paging-speed-ratio-" + name, medianOff / medianOn, String.format(
                "%-16s paging on %8.1f ms, off %8.1f ms, speed with paging = %.3f x without%s",
                name, medianOn / 1e6, medianOff / 1e6, medianOff / medianOn,
                args.workload().equals("wss") ? " (steady state: from the 3rd pass to the end)" : " (whole run)"));
    }

    /**
     * Wall time of a run: the whole run for guests without progress counters, else the steady state
     * from the end of the guest's second pass to its exit (boot and first touches excluded: "after
     * warm-up" in the same run).
     */
    private static long timeRun(GuestImage image, BootArgs args, long ram, MachineConfig.Paging paging) {
        try (Machine machine = Machine.boot(new MachineConfig(ram, args, false, paging), image)) {
            long[] steadyFrom = {0};
            machine.counters().listener((counter, value) -> {
                if (counter == 1 && value == 2) {
                    steadyFrom[0] = System.nanoTime();
                }
            });
            long start = System.nanoTime();
            VcpuExit exit = machine.run();
            long end = System.nanoTime();
            if (!(exit instanceof VcpuExit.Halt halt) || halt.status() != 0) {
                throw new IllegalStateException("benchmark guest ended with " + exit);
            }
            return end - (steadyFrom[0] != 0 ? steadyFrom[0] : start);
        }
    }

    // ---- 2. one demand fault resolved in-process

    private void demandFaultLatency() {
        int faults = size.pick(80_000, 2_000);
        int runs = size.pick(3, 1);
        System.out.printf("== demand fault in-process: exit -> install page -> resume (%,d faults; last of %d runs)%n",
                faults, runs);
        for (boolean hostPagesPopulated : new boolean[] {true, false}) {
            Histogram cycle = null;
            long elapsed = 0;
            for (int run = 0; run < runs; run++) {
                cycle = new Histogram(3);
                Histogram histogram = cycle;
                try (DirtierGuest guest = new DirtierGuest(size.pick(512L << 20, 16L << 20))) {
                    MemoryMap memory = guest.machine().memory();
                    memory.makeAbsent(DirtierGuest.FIRST_WRITABLE_PAGE, memory.pageCount());
                    long[] pages = new long[faults];
                    for (int i = 0; i < faults; i++) {
                        pages[i] = DirtierGuest.FIRST_WRITABLE_PAGE + i;
                        if (hostPagesPopulated) {
                            memory.ram().writeLong(pages[i] * 4096, -1); // the host's own page fault, now
                        }
                    }
                    long[] last = {0};
                    FaultHandler install = (fault, machine) -> {
                        long now = System.nanoTime();
                        if (fault.pageNumber() < DirtierGuest.FIRST_WRITABLE_PAGE) {
                            return FaultHandler.Resolution.RETURN; // the doorbell
                        }
                        if (last[0] != 0) {
                            histogram.recordValue(now - last[0]);
                        }
                        last[0] = now;
                        machine.memory().installZero(fault.pageNumber());
                        return FaultHandler.Resolution.RESUME;
                    };
                    long start = System.nanoTime();
                    guest.writeRound(pages, install);
                    elapsed = System.nanoTime() - start;
                }
            }
            String what = hostPagesPopulated ? "host RAM populated" : "host RAM fresh (first touch)";
            record("demand-fault-median-us-" + (hostPagesPopulated ? "populated" : "fresh"),
                    cycle.getValueAtPercentile(50) / 1000.0, String.format(
                    "%-28s median %.2f us, p99 %.2f us, mean %.2f us per fault cycle (fault exit, install 4 KiB, "
                            + "resume, the guest's store up to its next fault)", what,
                    cycle.getValueAtPercentile(50) / 1000.0, cycle.getValueAtPercentile(99) / 1000.0,
                    elapsed / 1000.0 / faults));
        }
    }

    // ---- 3. dirty logging

    private void dirtyLogging() {
        int count = size.pick(32_768, 1_024);
        System.out.printf("== dirty logging (%,d pages dirtied per round, median of 5 rounds)%n", count);
        long[] pages = new long[count];
        for (int i = 0; i < count; i++) {
            pages[i] = DirtierGuest.FIRST_WRITABLE_PAGE + i;
        }
        try (DirtierGuest guest = new DirtierGuest(size.pick(256L << 20, 16L << 20))) {
            double base = medianRound(guest, pages, () -> 0);
            for (DirtyLogMode mode : DirtyLogMode.values()) {
                MemoryMap memory = guest.machine().memory();
                memory.dirtyLog().start(mode);
                long[] harvestNanos = new long[1];
                double logged = medianRound(guest, pages, () -> {
                    long t = System.nanoTime();
                    long dirty = memory.dirtyLog().harvest().cardinality();
                    harvestNanos[0] = System.nanoTime() - t;
                    if (dirty != count) {
                        throw new IllegalStateException("harvested " + dirty + " of " + count);
                    }
                    return harvestNanos[0];
                });
                memory.dirtyLog().stop();
                double perPage = (logged - base) / count;
                record("dirty-log-ns-per-page-" + mode, perPage, String.format(
                        "%-14s %.3f us per dirtied page (round %.2f ms vs %.2f ms unlogged, incl. harvest+re-arm %.2f ms)",
                        mode, perPage / 1000.0, logged / 1e6, base / 1e6, harvestNanos[0] / 1e6));
            }
        }
        long rearmRam = size.pick(1L << 30, 64L << 20);
        String rearmName = size.pick("1GiB", "64MiB");
        System.out.printf("== re-arm a %s guest: PTE rewrite of %,d pages + a real TLB flush (median of 31)%n", rearmName,
                rearmRam / 4096);
        try (DirtierGuest guest = new DirtierGuest(rearmRam)) {
            MemoryMap memory = guest.machine().memory();
            for (DirtyLogMode mode : DirtyLogMode.values()) {
                memory.dirtyLog().start(mode);
                long[] samples = new long[41];
                for (int i = 0; i < samples.length; i++) {
                    long t = System.nanoTime();
                    memory.dirtyLog().rearmAll();
                    samples[i] = System.nanoTime() - t;
                }
                memory.dirtyLog().stop();
                double median = Medians.of(Arrays.copyOfRange(samples, 10, 41));
                record("rearm-" + rearmName + "-ms-" + mode, median / 1e6, String.format("%-14s re-arm %.3f ms", mode, median / 1e6));
            }
        }
    }

    /** Median time of 5 rounds (after 2 warm-ups) writing {@code pages}; {@code afterRound} adds its own time. */
    private static double medianRound(DirtierGuest guest, long[] pages, LongSupplier afterRound) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            long t = System.nanoTime();
            guest.writeRound(pages);
            long elapsed = System.nanoTime() - t;
            elapsed += afterRound.getAsLong();
            if (i >= 2) {
                times.add(elapsed);
            }
        }
        return Medians.of(times.stream().mapToLong(Long::longValue).toArray());
    }

    static GuestImage benchGuest(String name) {
        try (InputStream in = EmulatorBench.class.getResourceAsStream("/bench-guests/" + name)) {
            if (in == null) {
                throw new IllegalStateException("bench guest " + name + " missing: build the bench module with Maven");
            }
            return ImageLoader.load(name, in.readAllBytes(), ImageFormat.FLAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
