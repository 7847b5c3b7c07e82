package org.migrationlab.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The migration-engine benchmarks: schemes on a 512 MiB guest at two working-set sizes and two link
 * speeds, network-fault ratios per workload and prepaging strategy, fault latency with and without the
 * urgent channel, push throughput against a plain socket, and post-copy downtime. Prints tables (and
 * JSON lines with {@code --json FILE}); asserts nothing. Sections: schemes, faults, latency, throughput,
 * downtime, dsb, processes (the demo in fresh processes beside one JVM), durable (post-copy in fresh processes
 * with and without {@code --state-dir}; default: all).
 */
public final class MigrationBench {
    private static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    private static final long GIGABIT = 1_000_000_000L;
    /** The sections, in the order a run without arguments runs them. */
    static final List<String> SECTIONS = List.of("schemes", "faults", "latency", "throughput", "downtime", "dsb",
            "processes", "durable");
    private final BenchSize size;
    private final long ram;
    final List<String> json = new ArrayList<>();

    MigrationBench(BenchSize size) {
        this.size = size;
        this.ram = size.pick(512L << 20, 32L << 20);
    }

    public static void main(String[] args) throws Exception {
        MigrationBench bench = new MigrationBench(BenchSize.FULL);
        List<String> sections = new ArrayList<>();
        Path jsonFile = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--json") && i + 1 < args.length) {
                jsonFile = Path.of(args[++i]);
            } else {
                sections.add(args[i]);
            }
        }
        for (String section : sections.isEmpty() ? SECTIONS : sections) {
            bench.run(section);
        }
        if (jsonFile != null) {
            Files.write(jsonFile, bench.json);
            System.out.println("wrote " + jsonFile);
        }
    }

    /** Runs one section, its figures printed and added to {@link #json}. */
    void run(String section) throws Exception {
        switch (section) {
            case "schemes" -> schemes();
            case "faults" -> faultRatios();
            case "latency" -> faultLatency();
            case "throughput" -> pushThroughput();
            case "downtime" -> postcopyDowntime();
            case "dsb" -> selfBallooning();
            case "processes" -> new ProcessesBench(Path.of(System.getProperty("migrationlab.root", ".")), KERNEL,
                    5, json).run(progressOf(ProcessesBench.DEMO_GUEST));
            case "durable" -> new DurableBench(List.of(Path.of(System.getProperty("migrationlab.root", "."))
                    .resolve("bin/vmm").toString()), size.pick(DurableBench.FULL, DurableBench.SMOKE), json).run();
            default -> throw new IllegalArgumentException("unknown section " + section + " ("
                    + String.join(", ", SECTIONS) + ")");
        }
    }

    private static MachineConfig wss(long ram, String wss, String pattern, int passes, long seed) {
        return MachineConfig.of(ram, new BootArgs("wss", Map.of("wss", wss, "pattern", pattern, "write-ratio", "0.5",
                "passes", Integer.toString(passes)), seed));
    }

    private static MigrationConfig scheme(MigrationMode mode, String prepage) {
        return MigrationConfig.defaults(mode).withPrepage(prepage);
    }

    private InProcessMigration.Outcome migrate(String label, MachineConfig config, MigrationConfig migration,
                                           TransportConfig transport, long startAt, long workingSetPages) throws Exception {
        return report(label, LocalMigration.run(config, KERNEL, migration, transport, startAt), workingSetPages);
    }

    /** Prints and records one migration's figures. */
    private InProcessMigration.Outcome report(String label, InProcessMigration.Outcome outcome, long workingSetPages) {
        MigrationReport r = outcome.report();
        double share = workingSetPages > 0 ? 100.0 * r.faults().network().count() / workingSetPages : Double.NaN;
        System.out.printf("%-44s total %8.1f ms  downtime %8.2f ms  pages %8d (zero %7d)  net faults %6d (%5.2f %% of WS, "
                        + "net/(net+minor) %5.2f %%)  latency p50 %7.1f us p99 %8.1f us  resent %d%n",
                label, r.timing().totalMs(), r.timing().downtimeMs(), r.transfer().pagesSent(),
                r.transfer().duplicatePages(), r.faults().network().count(), share, 100 * r.faults().network().ratio(),
                r.faults().latency().p50Micros(), r.faults().latency().p99Micros(), r.pages().resentPages());
        json.add(BenchJson.line(new MigrationFigures.Migration(label, r.timing().totalMs(), r.timing().downtimeMs(),
                r.transfer().pagesSent(), r.transfer().duplicatePages(), r.faults().network().count(),
                r.faults().network().minor(), share / 100, r.faults().network().ratio(),
                r.faults().latency().p50Micros(), r.faults().latency().p99Micros(), r.transfer().transferredBytes())));
        return outcome;
    }

    // ---- 1. schemes × working set × link

    private void schemes() throws Exception {
        System.out.printf("== %d MiB guest, wss sequential, write ratio 0.5; migration starts at 25 %% of the run%n",
                ram >> 20);
        for (String wss : size.pick(new String[] {"64M", "256M"}, new String[] {"2M"})) {
            long pages = (Long.parseLong(wss.replace("M", "")) << 20) / 4096;
            int passes = (int) Math.max(40, size.pick(24_000_000, 200_000) / pages);
            long total = pages * passes;
            for (long bandwidth : new long[] {0, GIGABIT}) {
                TransportConfig transport = TransportConfig.of(LocalMigration.SECRET).withLink(bandwidth, 0);
                String link = bandwidth == 0 ? "unlimited" : "1 Gbit/s";
                for (MigrationMode mode : MigrationMode.values()) {
                    migrate(String.format("wss %s %s %s", wss, link, mode.label()),
                            wss(ram, wss, "seq", passes, 1), scheme(mode, "bubble"), transport, total / 4, pages);
                }
            }
        }
    }

    // ---- 2. network-fault ratio by workload and strategy

    private void faultRatios() throws Exception {
        System.out.println("== post-copy network faults, net / (net + minor) (the paper: 2-4 % with prepaging, 9-15 % "
                + "push only; 21 % SPECweb, 59 % kernel compile, 57 % NetPerf)");
        TransportConfig transport = TransportConfig.of(LocalMigration.SECRET);
        Map<String, MachineConfig> workloads = new LinkedHashMap<>();
        String ws = size.pick("64M", "2M");
        long wsPages = (Long.parseLong(ws.replace("M", "")) << 20) / 4096;
        workloads.put("wss-seq-" + ws, wss(ram, ws, "seq", 400, 1));
        workloads.put("kvstore", MachineConfig.of(ram, new BootArgs("kvstore", Map.of("requests",
                size.pick("200000", "5000"), "keys", size.pick("16384", "512"), "value-max", "2048"), 1)));
        workloads.put("kcompile", MachineConfig.of(ram, new BootArgs("kcompile",
                Map.of("objects", size.pick("16384", "512"), "ops", size.pick("1500000", "20000")), 1)));
        workloads.put("stream", MachineConfig.of(ram, new BootArgs("stream", Map.of("bytes", size.pick("256M", "8M")),
                1)));
        for (Map.Entry<String, MachineConfig> workload : workloads.entrySet()) {
            long total = progressOf(workload.getValue());
            for (String prepage : new String[] {"push", "bubble", "multi-pivot"}) {
                migrate(workload.getKey() + " " + prepage, workload.getValue(), scheme(MigrationMode.POSTCOPY, prepage),
                        transport, total / 4, workload.getKey().startsWith("wss") ? wsPages : -1);
            }
        }
    }

    /** The progress counter's final value of an unmigrated run (to start migrations mid-run). */
    private static long progressOf(MachineConfig config) throws InterruptedException {
        return org.migrationlab.migration.engine.LocalRun.run(org.migrationlab.balloon.device.BalloonedMachines.factory(),
                config, KERNEL, "kernel", new org.migrationlab.migration.engine.LocalRun.Observer() { })
                .progress().progress();
    }

    // ---- 3. fault latency, urgent channel on vs off, while a push saturates the bulk channel

    private void faultLatency() throws Exception {
        System.out.println("== post-copy fault latency over loopback while a linear push saturates the bulk channel");
        TransportConfig transport = TransportConfig.of(LocalMigration.SECRET);
        String ws = size.pick("256M", "4M");
        long wsPages = (Long.parseLong(ws.replace("M", "")) << 20) / 4096;
        MachineConfig config = MachineConfig.of(ram, new BootArgs("wss", Map.of("wss", ws, "pattern", "random",
                "write-ratio", "0.5", "passes", size.pick("4", "200")), 1));
        // Held at nine tenths of its work: a guest that ended before the switch-over would fault on nothing,
        // and the smoke-sized one once did on a loaded machine.
        long holdAt = progressOf(config) * 9 / 10;
        for (boolean urgent : new boolean[] {true, false}) {
            report("wss-random-" + ws + " push, urgent channel " + (urgent ? "on" : "off"),
                    LocalMigration.runHeld(config, KERNEL, scheme(MigrationMode.POSTCOPY, "push")
                            .withUrgentChannel(urgent), transport, size.pick(20_000L, 2_000L), holdAt), wsPages);
        }
    }

    // ---- 4. push throughput vs a plain socket

    private void pushThroughput() throws Exception {
        long mib = size.pick(400L, 4L);
        System.out.printf("== bulk push throughput (post-copy, linear push, %d MiB of non-zero pages) vs a plain "
                + "socket%n", mib);
        MachineConfig config = MachineConfig.of(ram, new BootArgs("wss", Map.of("wss", mib + "M", "pattern", "seq",
                "write-ratio", "1", "passes", "2"), 1));
        long pages = (mib << 20) / 4096;
        // Start near the end of the run, so the destination's guest is done soon and the push has the CPU.
        // Three runs: the first two warm up the JIT; the figures are the third's.
        InProcessMigration.Outcome outcome = null;
        for (int run = 0; run < size.pick(3, 1); run++) {
            outcome = migrate("push " + mib + "M, run " + run, config, scheme(MigrationMode.POSTCOPY, "push"),
                    TransportConfig.of(LocalMigration.SECRET), pages * 2 - pages / 50, -1);
        }
        MigrationReport r = outcome.report();
        double pushSeconds = (r.timing().totalMs() - r.timing().setupMs() - r.timing().downtimeMs()) / 1e3;
        double pushRate = r.phases().postcopyBytes() / pushSeconds;
        double socketRate = plainSocketRate(r.phases().postcopyBytes(), false);
        double socketIntoRamRate = plainSocketRate(r.phases().postcopyBytes(), true);
        System.out.printf("push: %d bytes after the switch-over in %.2f s = %.1f MB/s; plain socket, same bytes: "
                        + "%.1f MB/s into one buffer (ratio %.2f), %.1f MB/s copied into fresh 4 KiB pages of RAM "
                        + "as the push must (ratio %.2f)%n", r.phases().postcopyBytes(), pushSeconds, pushRate / 1e6,
                socketRate / 1e6, pushRate / socketRate, socketIntoRamRate / 1e6, pushRate / socketIntoRamRate);
        json.add(BenchJson.line(MigrationFigures.PushThroughput.of(pushRate, socketRate, socketIntoRamRate)));
    }

    /**
     * Sends {@code bytes} over a loopback socket from a direct buffer and returns bytes per second; with
     * {@code intoRam} the receiver copies what it reads page by page into fresh anonymous memory, which is
     * the work a destination must do for pages that carry data.
     */
    static double plainSocketRate(long bytes, boolean intoRam) throws IOException, InterruptedException {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel in = server.accept();
                     org.migrationlab.emulator.memory.GuestMemory ram = new org.migrationlab.emulator.memory.GuestMemory(
                             (bytes + (1 << 20) + 4095) & ~4095L)) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
                    java.lang.foreign.MemorySegment source = java.lang.foreign.MemorySegment.ofBuffer(buffer);
                    long total = 0;
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (intoRam) {
                            java.lang.foreign.MemorySegment.copy(source, 0, ram.segment(), total, n);
                        }
                        total += n;
                        buffer.clear();
                    }
                    return total;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            try (SocketChannel out = SocketChannel.open(server.getLocalAddress())) {
                ByteBuffer page = ByteBuffer.allocateDirect(1 << 20);
                new java.util.Random(1).ints().limit(page.capacity() / 4).forEach(page::putInt);
                long left = bytes;
                while (left > 0) {
                    page.clear().limit((int) Math.min(page.capacity(), left));
                    while (page.hasRemaining()) {
                        left -= out.write(page);
                    }
                }
            }
            received.join();
            return bytes / ((System.nanoTime() - start) / 1e9);
        }
    }

    // ---- 5. post-copy downtime

    private void postcopyDowntime() throws Exception {
        int runs = size.pick(5, 1);
        String ws = size.pick("128M", "2M");
        long wsPages = (Long.parseLong(ws.replace("M", "")) << 20) / 4096;
        System.out.printf("== post-copy downtime (pause to RESUMED) of a %d MiB guest, %d runs%n", ram >> 20, runs);
        for (int run = 0; run < runs; run++) {
            migrate("postcopy downtime run " + run, wss(ram, ws, "seq", 200, run + 1),
                    scheme(MigrationMode.POSTCOPY, "bubble"), TransportConfig.of(LocalMigration.SECRET),
                    size.pick(200_000L, 20_000L), wsPages);
        }
    }

    // ---- 6. dynamic self-ballooning: pages sent and total time, DSB off vs on

    /**
     * One DSB comparison: a workload (its boot arguments without dsb), the scheme, where to start
     * migrating ({@link #QUARTER_OF_THE_RUN}: a quarter of an unmigrated run's progress), and the pages it uses
     * (-1 when that moves, as churn's does).
     */
    private static final long QUARTER_OF_THE_RUN = -1;

    private record DsbScenario(String label, String workload, Map<String, String> args, MigrationMode mode,
                               long startAt, long usedPages) {
    }

    private void selfBallooning() throws Exception {
        String ws = size.pick("64M", "2M");
        long wssPages = (Long.parseLong(ws.replace("M", "")) << 20) / 4096;
        int passes = 200;
        int runs = size.pick(5, 1);
        String churn = size.pick("384M", "8M");
        String block = size.pick("1M", "256K");
        System.out.printf("== DSB off vs on (driver every %s of guest time, reserve 1M), %d MiB guest; medians of %d"
                + " runs. wss: %s used (%d pages), sequential, migration at 25 %% of the run. churn: blocks of"
                + " %s over up to %s, freed and taken again in phases, so free memory holds stale data%n",
                size.pick("10 ms", "100 us"), ram >> 20, runs, ws, wssPages, block, churn);
        List<DsbScenario> scenarios = new ArrayList<>();
        for (MigrationMode mode : MigrationMode.values()) {
            scenarios.add(new DsbScenario("wss " + ws + " " + mode.label(), "wss", Map.of("wss", ws,
                    "pattern", "seq", "write-ratio", "0.5", "passes", Integer.toString(passes)), mode,
                    wssPages * passes / 4, wssPages));
        }
        // Read-only: pre-copy then resends nothing, so what remains is what the balloon leaves to send.
        scenarios.add(new DsbScenario("wss " + ws + " precopy, read-only", "wss", Map.of("wss", ws, "pattern", "seq",
                "write-ratio", "0", "passes", Integer.toString(passes)), MigrationMode.PRECOPY, wssPages * passes / 4,
                wssPages));
        for (MigrationMode mode : List.of(MigrationMode.PRECOPY, MigrationMode.POSTCOPY)) {
            scenarios.add(new DsbScenario("churn " + churn + " " + mode.label(), "churn", Map.of("size",
                    churn, "block", block, "phases", "4"), mode, size.pick(500_000L, QUARTER_OF_THE_RUN), -1));
        }
        for (DsbScenario scenario : scenarios) {
            for (String dsb : new String[] {"off", "on"}) {
                Map<String, String> args = new LinkedHashMap<>(scenario.args());
                if (dsb.equals("on")) {
                    // A tiny guest's run is a few ms of guest time: the driver must wake within it.
                    args.put("dsb-interval", size.pick("10ms", "100us"));
                    args.put("dsb", "on");
                }
                MachineConfig config = MachineConfig.of(ram, new BootArgs(scenario.workload(), args, 1));
                long startAt = scenario.startAt() != QUARTER_OF_THE_RUN ? scenario.startAt() : progressOf(config) / 4;
                List<MigrationReport> reports = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    reports.add(LocalMigration.run(config, KERNEL, scheme(scenario.mode(), "bubble"),
                            TransportConfig.of(LocalMigration.SECRET), startAt).report());
                }
                dsbLine(scenario, dsb, reports);
            }
        }
    }

    private void dsbLine(DsbScenario scenario, String dsb, List<MigrationReport> reports) {
        // The middle run of each figure: whole counts, each one a run really had.
        long pagesSent = Medians.middleRun(reports.stream().mapToLong(r -> r.transfer().pagesSent()).toArray());
        long distinct = Medians.middleRun(reports.stream()
                .mapToLong(r -> r.transfer().pagesSent() - r.pages().resentPages()).toArray());
        double totalMs = Medians.middleRun(reports.stream().mapToDouble(r -> r.timing().totalMs()).toArray());
        double downtimeMs = Medians.middleRun(reports.stream().mapToDouble(r -> r.timing().downtimeMs()).toArray());
        long transferred = Medians.middleRun(reports.stream()
                .mapToLong(r -> r.transfer().transferredBytes()).toArray());
        long balloonPages = Medians.middleRun(reports.stream().mapToLong(r -> r.balloon().sizePages()).toArray());
        long saved = Medians.middleRun(reports.stream().mapToLong(r -> r.balloon().savedPages()).toArray());
        long used = scenario.usedPages();
        String ratios = used <= 0 ? "" : String.format(" (%.2f x the pages used; distinct %d, %.2f x)",
                (double) pagesSent / used, distinct, (double) distinct / used);
        System.out.printf("%-36s pages sent %7d%-41s total %8.1f ms  downtime %7.2f ms  transferred %6.1f MiB"
                        + "  balloon at switch-over %6d pages  saved sends %6d%n", "dsb " + dsb + " " + scenario.label(),
                pagesSent, ratios, totalMs, downtimeMs, transferred / 1048576.0, balloonPages, saved);
        json.add(BenchJson.line(new MigrationFigures.Dsb("dsb-" + dsb + " " + scenario.label(), pagesSent, distinct,
                used, used <= 0 ? Double.NaN : (double) pagesSent / used, totalMs, downtimeMs, transferred,
                balloonPages, saved)));
    }
}
