package org.migrationlab.migration.stats;

import java.util.Map;

import org.migrationlab.emulator.memory.MemoryHash;

/**
 * The one JSON rendering of a {@link DestinationReport}, with the key names and value spellings of
 * {@link RunReportJson} for what the two share (result as an exact hex string, hashes as hex).
 */
public final class DestinationReportJson {
    private DestinationReportJson() {
    }

    public static String render(DestinationReport report) {
        JsonWriter json = new JsonWriter().beginObject();
        json.name("migration-id").value(report.migrationId());
        json.name("workload").value(report.workload());
        json.name("memory-bytes").value(report.memoryBytes());
        json.name("seed").value(report.seed());
        json.name("args").beginObject();
        for (Map.Entry<String, String> arg : report.args().entrySet()) {
            json.name(arg.getKey()).value(arg.getValue());
        }
        json.endObject();
        RunReportJson.outcome(json, report.outcome());
        json.name("memory-hash").value(report.memoryHash().isPresent()
                ? MemoryHash.hex(report.memoryHash().getAsLong()) : null);
        json.name("console").value(report.console());
        FaultStats f = report.faults();
        json.name("network-faults").value(f.networkFaults());
        json.name("minor-faults").value(f.minorFaults());
        json.name("page-requests").value(f.requests());
        json.name("fault-latency-us").beginObject()
                .name("p50").value(f.latencyP50Micros())
                .name("p90").value(f.latencyP90Micros())
                .name("p99").value(f.latencyP99Micros())
                .name("max").value(f.latencyMaxMicros())
                .endObject();
        json.name("progress-rate-during").value(tenths(report.progressRateDuring()));
        json.name("progress-rate-after").value(tenths(report.progressRateAfter()));
        return json.endObject().toJson();
    }

    private static double tenths(double value) {
        return Double.isFinite(value) ? Math.round(value * 10) / 10.0 : value;
    }
}
