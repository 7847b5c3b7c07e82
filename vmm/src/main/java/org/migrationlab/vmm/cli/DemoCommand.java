package org.migrationlab.vmm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.memory.MemoryHash;
import org.migrationlab.guest.reference.WssReference;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.stats.GuestOutcome;
import org.migrationlab.migration.stats.HumanUnits;
import org.migrationlab.migration.stats.JsonReader;
import org.migrationlab.migration.stats.LiveProgress;
import org.migrationlab.migration.stats.MigrationReport;
import org.migrationlab.migration.stats.MigrationReportJson;
import org.migrationlab.migration.stats.MigrationReportJsonReader;
import org.migrationlab.migration.stats.MigrationReportTable;
import org.migrationlab.migration.stats.RunReport;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmm demo}: a whole live migration between two processes on this machine, checked against an
 * unmigrated run. Starts {@code vmm daemon} and {@code vmm migrate} as child JVMs with a fresh secret,
 * streams their output (prefixed), runs the same guest unmigrated in this process as the oracle, and
 * ends with the migration report and the oracle's verdict. Children never outlive it.
 */
@Command(name = "demo", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Live-migrates a running guest between two processes on this machine and checks the result.",
            "",
            "Starts a destination ('vmm daemon --listen 127.0.0.1:0 --once') and a source ('vmm migrate') as two"
                + " child JVMs sharing a fresh random secret, and shows their output prefixed [destination] and"
                + " [source]: the guest console, progress and migration progress lines, the arrival. Meanwhile it"
                + " runs the same guest unmigrated in this process as the oracle. Ends with the source's migration"
                + " report (its progress rate after the migration from the destination) and 'oracle: identical'"
                + " when the migrated guest ended exactly as the unmigrated one (result, status, console, memory"
                + " hash), else 'oracle: differs (...)'.",
            "",
            "By default the guest is wss in 512 MiB touching 64 MiB sequentially for a few seconds"
                + " (--arg wss=64M --arg pattern=seq --arg passes=" + DemoCommand.DEFAULT_PASSES + "), migrated"
                + " post-copy with bubble prepaging once it has done a quarter of its work. Any --arg replaces"
                + " these arguments."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the migration completed and the migrated guest ended exactly as the unmigrated one",
            "1:the migration failed, the guest's end differs from the oracle's, or a child process failed or"
                + " ran out of time",
            "2:usage error: bad option or argument, missing Unicorn library",
            "3:internal error (a bug in vmm; a stack trace follows)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmm demo",
            "  vmm demo --mode precopy --bandwidth 1gbit --latency 100us --json demo.json",
            "  vmm demo --mode hybrid --prepage multi-pivot --memory 256M \\",
            "      --arg wss=32M --arg passes=200"})
public final class DemoCommand implements Callable<Integer> {
    static final String DEFAULT_PASSES = "400";
    static final List<String> DEFAULT_ARGS = List.of("wss=64M", "pattern=seq", "passes=" + DEFAULT_PASSES);
    /** Where the migration starts by default: this share of the wss guest's total progress. */
    static final double DEFAULT_START_SHARE = 0.25;
    private static final long STARTUP_TIMEOUT_SECONDS = 60;
    private static final long GRACE_SECONDS = 5;
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):([0-9]+)");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "postcopy", converter = MigrationConverters.Mode.class,
            completionCandidates = MigrationConverters.Mode.class,
            description = "precopy, postcopy or hybrid. Default: ${DEFAULT-VALUE}.")
    private MigrationMode mode;

    @Option(names = "--prepage", paramLabel = "NAME", defaultValue = "bubble",
            converter = MigrationConverters.Prepage.class, completionCandidates = MigrationConverters.Prepage.class,
            description = "Post-copy prepaging: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    private String prepage;

    @Option(names = {"-w", "--workload"}, paramLabel = "NAME", defaultValue = "wss",
            description = "Workload to run. Default: ${DEFAULT-VALUE}.")
    private String workload;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "512M", converter = ByteSizeConverter.class,
            description = "Guest RAM. Default: ${DEFAULT-VALUE}.")
    private long memoryBytes;

    @Option(names = {"-a", "--arg"}, paramLabel = "KEY=VALUE", converter = BootArgConverter.class,
            description = "A boot argument for the workload. Repeatable; replaces the defaults (wss=64M pattern=seq"
                    + " passes=" + DEFAULT_PASSES + " for wss).")
    private List<Map.Entry<String, String>> args = List.of();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Guest seed. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
    private MigrateCommand.StartAt startAt;

    @CommandLine.Mixin
    private DsbOptions dsb;

    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "0", converter = BandwidthConverter.class,
            description = "Emulated link bandwidth, like 1gbit, 100mbit or 125MB/s; 0 = unlimited. Default: 0.")
    private long bandwidthBitsPerSecond;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Emulated one-way latency, both ways, like 100us or 2ms. Default: 0.")
    private long latencyNanos;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the migration report as JSON to FILE, with 'oracle' set.")
    private Path json;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Stop the child processes and fail after this long. Default: ${DEFAULT-VALUE}.")
    private long timeoutNanos;

    private final List<Process> children = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<Map.Entry<String, String>> guestArgs = args.isEmpty() && workload.equals("wss")
                ? DEFAULT_ARGS.stream().map(BootArgConverter::parse).toList() : args;
        MachineConfig config = GuestOptions.machineConfig(spec.commandLine(), memoryBytes, workload,
                dsb.appendTo(guestArgs), seed, false);
        if (JsonTarget.isStandardOutput(json)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--json needs a file here (standard output"
                    + " carries the children's output)");
        }
        JsonTarget.check(json);
        if (timeoutNanos <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
        }
        List<String> start = startOption(config);
        long deadline = System.nanoTime() + timeoutNanos;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        Path dir = Files.createTempDirectory("vmm-demo-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        // Interrupted (Ctrl-C): no child and no secret outlives the demo.
        Thread killer = Thread.ofPlatform().unstarted(() -> {
            killChildren();
            deleteTree(dir);
        });
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            Path secret = dir.resolve("secret");
            Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(secret, Base64.getEncoder().encodeToString(key) + "\n");
            Path destinationJson = dir.resolve("destination.json");
            Path migrationJson = dir.resolve("migration.json");

            say(out, "vmm demo: " + guestLabel(config) + "; " + MigrateCommand.describe(migrationConfigLabel())
                    + ", starting " + (start.getFirst().equals("--after-progress")
                    ? "at progress " + HumanUnits.count(Long.parseLong(start.getLast()))
                    : start.getLast() + " after the guest started") + link());

            List<String> daemonArgs = new ArrayList<>(List.of("daemon", "--listen", "127.0.0.1:0", "--once",
                    "--json", destinationJson.toString(), "--secret-file", secret.toString()));
            if (latencyNanos > 0) {
                daemonArgs.addAll(List.of("--latency", DurationConverter.format(latencyNanos)));
            }
            say(out, "vmm demo: destination: vmm " + String.join(" ", daemonArgs));
            CompletableFuture<String> listening = new CompletableFuture<>();
            Process destination = startChild(daemonArgs, "[destination] ", out, err, listening::complete);

            say(out, "vmm demo: oracle: the same guest, unmigrated, in this process");
            CompletableFuture<RunReport> oracle = runOracle(config);

            String address = awaitListening(listening, destination);
            if (address == null) {
                say(err, "vmm demo: the destination did not start listening (exit code "
                        + exitCode(destination) + ")");
                return ExitCode.MIGRATION_FAILED.code();
            }
            List<String> migrateArgs = new ArrayList<>(List.of("migrate", "--migrate-to", address,
                    "--secret-file", secret.toString(), "--mode", MigrationConverters.Mode.name(mode)));
            if (mode != MigrationMode.PRECOPY) {
                migrateArgs.addAll(List.of("--prepage", prepage));
            }
            migrateArgs.addAll(List.of("--workload", workload, "--memory", sizeArgument(memoryBytes),
                    "--seed", Long.toString(seed)));
            for (Map.Entry<String, String> arg : config.bootArgs().args().entrySet()) {
                migrateArgs.addAll(List.of("--arg", arg.getKey() + "=" + arg.getValue())); // --dsb* included
            }
            migrateArgs.addAll(start);
            if (bandwidthBitsPerSecond > 0) {
                migrateArgs.addAll(List.of("--bandwidth", bandwidthArgument(bandwidthBitsPerSecond)));
            }
            if (latencyNanos > 0) {
                migrateArgs.addAll(List.of("--latency", DurationConverter.format(latencyNanos)));
            }
            migrateArgs.addAll(List.of("--json", migrationJson.toString()));
            say(out, "vmm demo: source: vmm " + String.join(" ", migrateArgs));
            migrateArgs.add("--no-report-table"); // printed below, with the oracle's verdict
            Process source = startChild(migrateArgs, "[source] ", out, err, line -> { });

            Integer sourceExit = waitFor(source, deadline);
            // After a failed migration the destination may have seen no guest at all: give it a grace period.
            long destinationDeadline = sourceExit != null && sourceExit == 0 ? deadline
                    : Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS));
            Integer destinationExit = waitFor(destination, destinationDeadline);
            killChildren();
            joinPumps(deadline);
            if (sourceExit == null || destinationExit == null) {
                say(err, "vmm demo: " + (sourceExit == null ? "the source" : "the destination") + " did not finish"
                        + " within --timeout " + DurationConverter.format(timeoutNanos) + "; stopped it");
                return ExitCode.MIGRATION_FAILED.code();
            }
            RunReport unmigrated = awaitOracle(oracle, deadline);

            MigrationReport report;
            try {
                report = MigrationReportJsonReader.read(Files.readString(migrationJson));
            } catch (NoSuchFileException e) {
                say(err, "vmm demo: the source wrote no migration report (exit code " + sourceExit + ")");
                return ExitCode.MIGRATION_FAILED.code();
            }
            Verdict verdict = report.completed() ? compare(destinationJson, unmigrated)
                    : new Verdict("not-checked", List.of("the migration did not complete"));
            report = report.withOracle(verdict.word());
            if (report.completed()) {
                report = report.withProgress(new MigrationReport.ProgressRates(report.progress().before(),
                        report.progress().during(), destinationRate(destinationJson, "progress-rate-after")));
            }
            out.println();
            out.println("migration report (source):");
            out.print(TerminalText.escapeLines(MigrationReportTable.render(report.withOracle("not-checked"))));
            out.println("oracle: " + verdict.word() + (verdict.details().isEmpty() ? ""
                    : " (" + String.join("; ", verdict.details()) + ")"));
            out.flush();
            if (json != null) {
                JsonTarget.write(json, MigrationReportJson.render(report));
            }
            if (!report.completed()) {
                say(err, "vmm demo: the migration failed: " + OneLine.of(report.error()));
                return ExitCode.MIGRATION_FAILED.code();
            }
            if (!verdict.word().equals("identical")) {
                say(err, "vmm demo: the migrated guest did not end as the unmigrated one did");
                return ExitCode.MIGRATION_FAILED.code();
            }
            if (sourceExit != 0 || destinationExit != 0) {
                say(err, "vmm demo: a child failed (source exit " + sourceExit + ", destination exit "
                        + destinationExit + ")");
                return ExitCode.MIGRATION_FAILED.code();
            }
            return ExitCode.SUCCESS.code();
        } finally {
            killChildren();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // the JVM is shutting down; the hook runs anyway
            }
            deleteTree(dir);
        }
    }

    /** {@code --after-progress N} or {@code --after D}: as given, else a quarter of the wss guest's work. */
    private List<String> startOption(MachineConfig config) {
        if (startAt != null && startAt.afterProgress != null) {
            return List.of("--after-progress", Long.toString(startAt.afterProgress));
        }
        if (startAt != null && startAt.afterNanos != null) {
            return List.of("--after", DurationConverter.format(startAt.afterNanos));
        }
        if (workload.equals("wss")) {
            try {
                WssReference.Config wss = WssReference.Config.fromArgs(config.bootArgs().args());
                long total = wss.pages() * wss.passes();
                return List.of("--after-progress", Long.toString(Math.round(total * DEFAULT_START_SHARE)));
            } catch (IllegalArgumentException e) {
                // the guest will say what is wrong with its arguments; start by wall time meanwhile
            }
        }
        return List.of("--after", "1s");
    }

    private org.migrationlab.migration.session.MigrationConfig migrationConfigLabel() {
        return org.migrationlab.migration.session.MigrationConfig.defaults(mode).withPrepage(prepage);
    }

    private String link() {
        return (bandwidthBitsPerSecond > 0 ? "; link " + BandwidthConverter.format(bandwidthBitsPerSecond) : "")
                + (latencyNanos > 0 ? (bandwidthBitsPerSecond > 0 ? ", " : "; link ") + "latency "
                + DurationConverter.format(latencyNanos) + " one way" : "");
    }

    /** 536870912 → "512M": the size as --memory reads it, in the largest whole unit. */
    static String sizeArgument(long bytes) {
        String[] suffixes = {"", "K", "M", "G", "T"};
        int i = 0;
        long value = bytes;
        while (i < suffixes.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            i++;
        }
        return value + suffixes[i];
    }

    /** 1_000_000_000 → "1gbit": the bandwidth as --bandwidth reads it, in the largest whole unit. */
    static String bandwidthArgument(long bitsPerSecond) {
        String[] units = {"bit", "kbit", "mbit", "gbit", "tbit"};
        int i = 0;
        long value = bitsPerSecond;
        while (i < units.length - 1 && value != 0 && value % 1000 == 0) {
            value /= 1000;
            i++;
        }
        return value + units[i];
    }

    private static String guestLabel(MachineConfig config) {
        Map<String, String> a = config.bootArgs().args();
        return config.bootArgs().workload() + " in " + HumanUnits.bytes(config.ramBytes())
                + (a.isEmpty() ? "" : " (" + a.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")) + ")");
    }

    // ---- child processes

    /** The command that starts this program in a new JVM: same java, same class path, native access. */
    static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        // Flags the launcher or test runner gave this JVM that the children need too (stack size for the
        // emulator's vCPU threads, the lab's own properties such as the Unicorn library's location).
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("-Xss") || flag.startsWith("-Xmx") || flag.startsWith("-Dmigrationlab.")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VmmCommand.class.getName()));
        return command;
    }

    private Process startChild(List<String> vmmArgs, String prefix, PrintWriter out, PrintWriter err,
                               Consumer<String> firstLine) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(vmmArgs);
        Process process;
        synchronized (children) {
            process = new ProcessBuilder(command).start();
            children.add(process);
        }
        process.getOutputStream().close();
        pumps.add(pump(process.getInputStream(), prefix, out, firstLine));
        pumps.add(pump(process.getErrorStream(), prefix, err, line -> { }));
        return process;
    }

    /** Copies a child's stream line by line, prefixed; hands the first line to {@code firstLine} as well. */
    private static Thread pump(InputStream in, String prefix, PrintWriter to, Consumer<String> firstLine) {
        return Thread.ofPlatform().daemon(true).name("demo-output").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                boolean first = true;
                for (String line; (line = reader.readLine()) != null; ) {
                    MigrateCommand.printLine(to, prefix + line);
                    if (first) {
                        firstLine.accept(line);
                        first = false;
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
    }

    /** HOST:PORT from the destination's first line, or null when it exited or timed out first. */
    private static String awaitListening(CompletableFuture<String> listening, Process destination)
            throws InterruptedException {
        try {
            CompletableFuture.anyOf(listening, destination.onExit()).get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
        if (!listening.isDone()) {
            return null;
        }
        Matcher m = LISTENING.matcher(listening.join());
        return m.matches() ? m.group(1) + ":" + m.group(2) : null;
    }

    /** The exit code, or null when the process was still running at the deadline. */
    private static Integer waitFor(Process process, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0 && process.waitFor(left, TimeUnit.NANOSECONDS)) {
            return process.exitValue();
        }
        return process.isAlive() ? null : process.exitValue();
    }

    private static String exitCode(Process process) {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /** Ends every child still running: politely, then forcibly after a grace period. */
    private void killChildren() {
        List<Process> running;
        synchronized (children) {
            running = children.stream().filter(Process::isAlive).toList();
        }
        running.forEach(Process::destroy);
        for (Process process : running) {
            try {
                if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void joinPumps(long deadline) throws InterruptedException {
        for (Thread pump : pumps) {
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            pump.join(Math.min(left, TimeUnit.SECONDS.toMillis(GRACE_SECONDS)));
        }
    }

    // ---- the oracle

    private static CompletableFuture<RunReport> runOracle(MachineConfig config) {
        CompletableFuture<RunReport> report = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("oracle").start(() -> {
            try {
                report.complete(new GuestRun(config, GuestOptions.builtInKernel(), GuestOptions.BUILT_IN_KERNEL)
                        .execute(line -> { }, new LiveProgress()));
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        return report;
    }

    private static RunReport awaitOracle(CompletableFuture<RunReport> oracle, long deadline)
            throws InterruptedException {
        try {
            return oracle.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new UserInputException("the unmigrated run did not finish within --timeout");
        }
    }

    /** The oracle's verdict and, when it differs, what differs. */
    record Verdict(String word, List<String> details) {
    }

    /** Compares the destination's outcome (its JSON) with the unmigrated run. */
    static Verdict compare(Path destinationJson, RunReport unmigrated) throws IOException {
        Map<String, Object> d;
        try {
            d = JsonReader.parseObject(Files.readString(destinationJson));
        } catch (NoSuchFileException e) {
            return new Verdict("differs", List.of("the destination wrote no outcome"));
        }
        List<String> differences = new ArrayList<>();
        String expectedResult = null;
        Long expectedStatus = null;
        if (unmigrated.outcome() instanceof GuestOutcome.Halted h) {
            expectedResult = HumanUnits.hex64(h.result());
            expectedStatus = h.status();
        }
        compare(differences, "outcome", unmigrated.outcome().word(), d.get("outcome"));
        compare(differences, "result", expectedResult, d.get("result"));
        compare(differences, "status", expectedStatus, d.get("status"));
        compare(differences, "memory hash", MemoryHash.hex(unmigrated.memoryHash()), d.get("memory-hash"));
        if (!unmigrated.console().equals(d.get("console"))) {
            differences.add("console: " + lineCount(String.valueOf(d.get("console"))) + " lines migrated, "
                    + lineCount(unmigrated.console()) + " unmigrated, first difference at line "
                    + firstDifferentLine(String.valueOf(d.get("console")), unmigrated.console()));
        }
        if (differences.isEmpty()) {
            return new Verdict("identical", List.of("result " + expectedResult + ", status " + expectedStatus
                    + ", memory hash " + MemoryHash.hex(unmigrated.memoryHash()) + " and a console of "
                    + lineCount(unmigrated.console()) + " lines, as in the unmigrated run"));
        }
        return new Verdict("differs", differences);
    }

    /** A progress rate from the destination's outcome (only it knows the rate after the migration); NaN if none. */
    private static double destinationRate(Path destinationJson, String key) throws IOException {
        try {
            return JsonReader.parseObject(Files.readString(destinationJson)).get(key) instanceof Number n
                    ? n.doubleValue() : Double.NaN;
        } catch (NoSuchFileException | IllegalArgumentException e) {
            return Double.NaN;
        }
    }

    private static void compare(List<String> differences, String what, Object unmigrated, Object migrated) {
        if (!java.util.Objects.equals(unmigrated, migrated)) {
            differences.add(what + ": migrated " + migrated + ", unmigrated " + unmigrated);
        }
    }

    private static long lineCount(String text) {
        return text.lines().count();
    }

    private static long firstDifferentLine(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        int i = 0;
        while (i < x.size() && i < y.size() && x.get(i).equals(y.get(i))) {
            i++;
        }
        return i + 1;
    }

    // ---- helpers

    private static void say(PrintWriter to, String line) {
        MigrateCommand.printLine(to, line);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is not worth failing the demo for
        }
    }
}
