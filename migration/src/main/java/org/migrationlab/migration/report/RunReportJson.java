package org.migrationlab.migration.report;

import java.util.Map;

import org.migrationlab.emulator.memory.MemoryHash;

/**
 * The one JSON rendering of a {@link RunReport}. Keys use lower-case words joined by hyphens (QEMU's
 * spelling). 64-bit hashes and results are hex strings (exact in every JSON reader); counts are numbers;
 * absent values are {@code null}, never missing keys.
 */
public final class RunReportJson {
    private RunReportJson() {
    }

    public static String render(RunReport report) {
        JsonWriter json = new JsonWriter().beginObject();
        json.name("workload").value(report.workload());
        json.name("image").value(report.image());
        json.name("memory-bytes").value(report.memoryBytes());
        json.name("seed").value(report.seed());
        args(json, report.args());
        outcome(json, report.outcome());
        json.name("memory-hash").value(MemoryHash.hex(report.memoryHash()));
        json.name("wall-time-ms").value(Math.round(report.wallTimeNanos() / 1e3) / 1e3);
        json.name("exits").beginObject();
        for (Map.Entry<String, Long> exit : report.exits().entrySet()) {
            json.name(exit.getKey()).value(exit.getValue());
        }
        json.endObject();
        json.name("page-faults").value(report.pageFaults());
        json.name("progress").beginObject();
        for (Map.Entry<String, Long> counter : report.progress().named().entrySet()) {
            json.name(counter.getKey()).value(counter.getValue());
        }
        json.endObject();
        json.name("progress-rate").value(tenths(report.progressPerSecond()));
        json.name("virtual-time-ns").value(report.virtualTimeNanos());
        if (report.instructions().isPresent()) {
            json.name("instructions").value(report.instructions().getAsLong());
            json.name("instructions-per-second").value(tenths(report.instructionsPerSecond().orElseThrow()));
        } else {
            json.name("instructions").nullValue();
            json.name("instructions-per-second").nullValue();
        }
        report.balloon().writeJson(json);
        json.name("console").value(report.console());
        return json.endObject().toJson();
    }

    private static double tenths(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** The guest's boot arguments as an {@code args} object: shared with the daemon's report. */
    static void args(JsonWriter json, Map<String, String> args) {
        json.name("args").beginObject();
        for (Map.Entry<String, String> arg : args.entrySet()) {
            json.name(arg.getKey()).value(arg.getValue());
        }
        json.endObject();
    }

    /** The guest outcome's keys (outcome, status, result, crash, error): shared with the daemon's report. */
    static void outcome(JsonWriter json, GuestOutcome outcome) {
        json.name("outcome").value(outcome.word());
        switch (outcome) {
            case GuestOutcome.Halted halted -> {
                json.name("status").value(halted.status());
                json.name("result").value(hex64(halted.result()));
                json.name("result-decimal").value(Long.toUnsignedString(halted.result()));
                json.name("crash").nullValue();
                json.name("error").nullValue();
            }
            case GuestOutcome.Crashed crashed -> {
                json.name("status").nullValue();
                json.name("result").nullValue();
                json.name("result-decimal").nullValue();
                json.name("crash").beginObject()
                        .name("kind").value(crashed.kind())
                        .name("rip").value(hex64(crashed.rip()))
                        .name("address").value(crashed.address() < 0 ? null : hex64(crashed.address()))
                        .name("message").value(crashed.message())
                        .endObject();
                json.name("error").nullValue();
            }
            case GuestOutcome.Failed failed -> {
                json.name("status").nullValue();
                json.name("result").nullValue();
                json.name("result-decimal").nullValue();
                json.name("crash").nullValue();
                json.name("error").value(failed.message());
            }
        }
    }

    /** 0x0000_0000_dead_beef → "0x00000000deadbeef". */
    static String hex64(long value) {
        return String.format(java.util.Locale.ROOT, "0x%016x", value);
    }
}
