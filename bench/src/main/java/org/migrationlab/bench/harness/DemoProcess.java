package org.migrationlab.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;

/**
 * One {@code vmm demo --json} in fresh processes, as a user runs it, for the benches that measure what users
 * see: its output goes to a log in a directory of the caller's, and a demo that fails or outlives its bound is
 * an error carrying the log's end.
 */
final class DemoProcess {
    /** Far above any bench scenario's demo: a bound, not a timing. */
    static final long LIMIT_MINUTES = 6;

    private DemoProcess() {
    }

    /**
     * Runs {@code command} (the {@code vmm} command, {@code demo} and its options) with {@code --json} into
     * {@code dir}, and returns the migration report it wrote.
     */
    static MigrationReport report(List<String> command, Path dir) throws IOException, InterruptedException {
        Path report = dir.resolve("demo.json");
        Path log = dir.resolve("demo.log");
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--json", report.toString()));
        Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("vmm demo did not end within " + LIMIT_MINUTES + " min: " + tail(log));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("vmm demo exited with " + process.exitValue() + ": " + tail(log));
        }
        return ReportJson.readMigrationReport(Files.readString(report));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
