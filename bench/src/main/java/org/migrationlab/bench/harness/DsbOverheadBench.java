package org.migrationlab.bench.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.migrationlab.balloon.device.BalloonDevice;
import org.migrationlab.balloon.device.BalloonStats;
import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.balloon.policy.BalloonConfig;

/**
 * How much self-ballooning alone slows a workload down: the same guest with dsb=off and with dsb=on at
 * intervals of 1 s and 5 s of guest (virtual) time, after a warm-up, median wall time of several
 * interleaved runs, and the exact guest instruction count of one counted run per setting (wall time on an
 * emulator also moves with its translation cache), on machines built as the migration engine builds them (the balloon's host policy:
 * self-ballooning with the paper's settings). Prints figures and asserts nothing (a benchmark, not a
 * test). {@code bin/bench dsb-overhead [RUNS]}.
 */
public final class DsbOverheadBench {
    private static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);

    private DsbOverheadBench() {
    }

    /** A workload, the DSB intervals to compare with dsb=off, and its arguments. */
    record Workload(String name, List<String> intervals, String... args) {
    }

    public static void main(String[] argv) {
        run(argv.length > 0 ? Integer.parseInt(argv[0]) : 5, BenchSize.FULL, System.out);
    }

    /** Measures every workload {@code runs} times after a warm-up and prints the figures to {@code out}. */
    static void run(int runs, BenchSize size, PrintStream out) {
        long ram = size.pick(128L << 20, 16L << 20);
        List<Workload> workloads = size.pick(List.of(
                // 10 M accesses = 10 s of guest time (1 us per unit): the paper's intervals.
                new Workload("wss", List.of("1s", "5s"), "wss=16M", "pattern=random", "write-ratio=0.5", "passes=2500"),
                // Allocation churn swinging between 1/4 and all of 48M. Its guest clock runs slowly (a unit is
                // 1 KiB written), so a run is ~0.5 s of guest time: 1 s and 5 s never fire; 20 ms and 100 ms
                // wake the driver about as often per run as 1 s and 5 s do over a few minutes of a real guest.
                new Workload("churn", List.of("1s", "5s", "20ms", "100ms"), "size=48M", "block=1M", "phases=12")),
                // A tiny guest runs a few ms of guest time: intervals that wake the driver within it.
                List.of(new Workload("wss", List.of("1ms"), "wss=2M", "pattern=random", "write-ratio=0.5", "passes=20"),
                        new Workload("churn", List.of("100us"), "size=2M", "block=128K", "phases=4")));
        out.printf("DSB overhead: %d MiB guest, %d measured runs after 1 warm-up, interleaved; median wall"
                + " time and vCPU-thread CPU time%n", ram >> 20, runs);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (Workload w : workloads) {
            List<String> settings = new ArrayList<>(List.of("off"));
            settings.addAll(w.intervals());
            Map<String, List<Double>> times = new LinkedHashMap<>();
            Map<String, List<Double>> cpuTimes = new LinkedHashMap<>();
            Map<String, BalloonStats> stats = new LinkedHashMap<>();
            Map<String, Long> virtualNanos = new LinkedHashMap<>();
            for (String s : settings) {
                times.put(s, new ArrayList<>());
                cpuTimes.put(s, new ArrayList<>());
            }
            for (int run = -1; run < runs; run++) {
                for (String s : settings) {
                    try (Machine machine = boot(w, s, ram)) {
                        long start = System.nanoTime();
                        long cpuStart = threads.getCurrentThreadCpuTime();
                        VcpuExit exit = machine.run();
                        double seconds = (System.nanoTime() - start) / 1e9;
                        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
                        if (!(exit instanceof VcpuExit.Halt halt) || halt.status() != 0) {
                            throw new IllegalStateException(w.name() + " dsb " + s + ": " + exit);
                        }
                        if (run >= 0) {
                            times.get(s).add(seconds);
                            cpuTimes.get(s).add(cpuSeconds);
                        }
                        stats.put(s, machine.device(BalloonDevice.class).orElseThrow().stats());
                        virtualNanos.put(s, machine.clock().nanos());
                    }
                }
            }
            double base = Medians.of(times.get("off"));
            double cpuBase = Medians.of(cpuTimes.get("off"));
            out.printf("%s (%s), %.1f s of guest time:%n", w.name(), String.join(" ", w.args()),
                    virtualNanos.get("off") / 1e9);
            Map<String, Long> instructions = countedInstructions(w, settings, ram);
            for (String s : settings) {
                double m = Medians.of(times.get(s));
                double cpu = Medians.of(cpuTimes.get(s));
                BalloonStats st = stats.get(s);
                out.printf("  dsb %-5s wall %.3f s (%+.2f %%, runs %s)  cpu %.3f s (%+.2f %%)%n", s, m,
                        (m / base - 1) * 100, format(times.get(s)), cpu, (cpu / cpuBase - 1) * 100);
                out.printf("             wakes %d, inflations %d (%d pages), deflations %d (%d under pressure,"
                                + " %d pages), host time in the driver %.1f ms%n", st.queries(), st.inflations(),
                        st.pagesReturned(), st.deflations(), st.pressureDeflations(), st.pagesReclaimed(),
                        st.driverHostNanos() / 1e6);
                long counted = instructions.get(s);
                out.printf("             guest instructions %,d (%+.4f %% against dsb off)%n", counted,
                        (counted / (double) instructions.get("off") - 1) * 100);
            }
        }
    }

    /**
     * Wall time on an emulator moves by several per cent with where its translation cache happens to be
     * flushed; the guest's instruction count does not. One counted run per setting: what the balloon
     * costs the guest itself (its driver's instructions), exactly.
     */
    private static Map<String, Long> countedInstructions(Workload w, List<String> settings, long ram) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String s : settings) {
            try (Machine machine = boot(w, s, ram, true)) {
                VcpuExit exit = machine.run();
                if (!(exit instanceof VcpuExit.Halt halt) || halt.status() != 0) {
                    throw new IllegalStateException(w.name() + " dsb " + s + ": " + exit);
                }
                counts.put(s, machine.instructionsExecuted().orElseThrow());
            }
        }
        return counts;
    }

    private static Machine boot(Workload w, String setting, long ram) {
        return boot(w, setting, ram, false);
    }

    private static Machine boot(Workload w, String setting, long ram, boolean countInstructions) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String pair : w.args()) {
            Map.Entry<String, String> e = BootArgs.parsePair(pair);
            args.put(e.getKey(), e.getValue());
        }
        args.put("dsb-interval", setting.equals("off") ? "5s" : setting);
        args.put("dsb", setting.equals("off") ? "off" : "on");
        return Machine.boot(new MachineConfig(ram, new BootArgs(w.name(), args, 1), countInstructions), KERNEL,
                BalloonDevice.factory(BalloonConfig.defaults()));
    }

    private static String format(List<Double> values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format("%.3f", v));
        }
        return sb.toString();
    }
}
