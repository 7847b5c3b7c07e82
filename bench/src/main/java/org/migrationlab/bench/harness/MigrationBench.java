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
 * downtime, dsb, processes (the demo in fresh processes beside one JVM; default: all).
 */
public final class MigrationBench {
    private static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    private static final long RAM = 512L << 20;
    private static final long GIGABIT = 1_000_000_000L;
    private final List<String> json = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        MigrationBench bench = new MigrationBench();
        List<String> sections = new ArrayList<>();
        Path jsonFile = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--json") && i + 1 < args.length) {
                jsonFile = Path.of(args[++i]);
            } else {
                sections.add(args[i]);
            }
        }
        if (sections.isEmpty()) {
            sections = List.of("schemes", "faults", "latency", "throughput", "downtime", "dsb", "processes");
        }
        for (String section : sections) {
            switch (section) {
                case "schemes" -> bench.schemes();
                case "faults" -> bench.faultRatios();
                case "latency" -> bench.faultLatency();
                case "throughput" -> bench.pushThroughput();
                case "downtime" -> bench.postcopyDowntime();
                case "dsb" -> bench.selfBallooning();
                case "processes" -> new ProcessesBench(Path.of(System.getProperty("migrationlab.root", ".")), KERNEL,
                        5, bench.json).run(progressOf(ProcessesBench.DEMO_GUEST));
                default -> throw new IllegalArgumentException("unknown section " + section
                        + " (schemes, faults, latency, throughput, downtime, dsb, processes)");
            }
        }
        if (jsonFile != null) {
            Files.write(jsonFile, bench.json);
            System.out.println("wrote " + jsonFile);
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
        InProcessMigration.Outcome outcome = LocalMigration.run(config, KERNEL, migration, transport, startAt);
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
        System.out.println("== 512 MiB guest, wss sequential, write ratio 0.5; migration starts at 25 % of the run");
        for (String wss : new String[] {"64M", "256M"}) {
            long pages = (Long.parseLong(wss.replace("M", "")) << 20) / 4096;
            int passes = (int) Math.max(40, 24_000_000 / pages);
            long total = pages * passes;
            for (long bandwidth : new long[] {0, GIGABIT}) {
                TransportConfig transport = TransportConfig.of(LocalMigration.SECRET).withLink(bandwidth, 0);
                String link = bandwidth == 0 ? "unlimited" : "1 Gbit/s";
                for (MigrationMode mode : MigrationMode.values()) {
                    migrate(String.format("wss %s %s %s", wss, link, mode.name().toLowerCase()),
                            wss(RAM, wss, "seq", passes, 1), scheme(mode, "bubble"), transport, total / 4, pages);
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
        workloads.put("wss-seq-64M", wss(RAM, "64M", "seq", 400, 1));
        workloads.put("kvstore", MachineConfig.of(RAM, new BootArgs("kvstore",
                Map.of("requests", "200000", "keys", "16384", "value-max", "2048"), 1)));
        workloads.put("kcompile", MachineConfig.of(RAM, new BootArgs("kcompile",
                Map.of("objects", "16384", "ops", "1500000"), 1)));
        workloads.put("stream", MachineConfig.of(RAM, new BootArgs("stream", Map.of("bytes", "256M"), 1)));
        for (Map.Entry<String, MachineConfig> workload : workloads.entrySet()) {
            long total = progressOf(workload.getValue());
            for (String prepage : new String[] {"push", "bubble", "multi-pivot"}) {
                migrate(workload.getKey() + " " + prepage, workload.getValue(), scheme(MigrationMode.POSTCOPY, prepage),
                        transport, total / 4, workload.getKey().startsWith("wss") ? 16384 : -1);
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
        MachineConfig config = MachineConfig.of(RAM, new BootArgs("wss", Map.of("wss", "256M", "pattern", "random",
                "write-ratio", "0.5", "passes", "4"), 1));
        for (boolean urgent : new boolean[] {true, false}) {
            migrate("wss-random-256M push, urgent channel " + (urgent ? "on" : "off"), config,
                    scheme(MigrationMode.POSTCOPY, "push").withUrgentChannel(urgent), transport, 20_000, 65536);
        }
    }

    // ---- 4. push throughput vs a plain socket

    private void pushThroughput() throws Exception {
        System.out.println("== bulk push throughput (post-copy, linear push, 400 MiB of non-zero pages) vs a plain socket");
        MachineConfig config = MachineConfig.of(RAM, new BootArgs("wss", Map.of("wss", "400M", "pattern", "seq",
                "write-ratio", "1", "passes", "2"), 1));
        long pages = (400L << 20) / 4096;
        // Start near the end of the run, so the destination's guest is done soon and the push has the CPU.
        // Three runs: the first two warm up the JIT; the figures are the third's.
        InProcessMigration.Outcome outcome = null;
        for (int run = 0; run < 3; run++) {
            outcome = migrate("push 400M, run " + run, config, scheme(MigrationMode.POSTCOPY, "push"),
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
        System.out.println("== post-copy downtime (pause to RESUMED) of a 512 MiB guest, 5 runs");
        for (int run = 0; run < 5; run++) {
            migrate("postcopy downtime run " + run, wss(RAM, "128M", "seq", 200, run + 1),
                    scheme(MigrationMode.POSTCOPY, "bubble"), TransportConfig.of(LocalMigration.SECRET), 200_000, 32768);
        }
    }

    // ---- 6. dynamic self-ballooning: pages sent and total time, DSB off vs on

    /**
     * One DSB comparison: a workload (its boot arguments without dsb), the scheme, where to start
     * migrating, and the pages it uses (-1 when that moves, as churn's does).
     */
    private record DsbScenario(String label, String workload, Map<String, String> args, MigrationMode mode,
                               long startAt, long usedPages) {
    }

    private void selfBallooning() throws Exception {
        long wssPages = (64L << 20) / 4096;
        int passes = 200;
        int runs = 5;
        System.out.printf("== DSB off vs on (driver every 10 ms of guest time, reserve 1M), 512 MiB guest; medians of %d"
                + " runs. wss: 64 MiB used (%d pages), sequential, migration at 25 %% of the run. churn: blocks of"
                + " 1 MiB over up to 384 MiB, freed and taken again in phases, so free memory holds stale data%n",
                runs, wssPages);
        List<DsbScenario> scenarios = new ArrayList<>();
        for (MigrationMode mode : MigrationMode.values()) {
            scenarios.add(new DsbScenario("wss 64M " + mode.name().toLowerCase(), "wss", Map.of("wss", "64M",
                    "pattern", "seq", "write-ratio", "0.5", "passes", Integer.toString(passes)), mode,
                    wssPages * passes / 4, wssPages));
        }
        // Read-only: pre-copy then resends nothing, so what remains is what the balloon leaves to send.
        scenarios.add(new DsbScenario("wss 64M precopy, read-only", "wss", Map.of("wss", "64M", "pattern", "seq",
                "write-ratio", "0", "passes", Integer.toString(passes)), MigrationMode.PRECOPY, wssPages * passes / 4,
                wssPages));
        for (MigrationMode mode : List.of(MigrationMode.PRECOPY, MigrationMode.POSTCOPY)) {
            scenarios.add(new DsbScenario("churn 384M " + mode.name().toLowerCase(), "churn", Map.of("size", "384M",
                    "block", "1M", "phases", "4"), mode, 500_000, -1));
        }
        for (DsbScenario scenario : scenarios) {
            for (String dsb : new String[] {"off", "on"}) {
                Map<String, String> args = new LinkedHashMap<>(scenario.args());
                if (dsb.equals("on")) {
                    args.put("dsb-interval", "10ms");
                    args.put("dsb", "on");
                }
                MachineConfig config = MachineConfig.of(RAM, new BootArgs(scenario.workload(), args, 1));
                List<MigrationReport> reports = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    reports.add(LocalMigration.run(config, KERNEL, scheme(scenario.mode(), "bubble"),
                            TransportConfig.of(LocalMigration.SECRET), scenario.startAt()).report());
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
