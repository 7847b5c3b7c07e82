package org.migrationlab.migration.report;

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
        RunReportJson.args(json, report.args());
        RunReportJson.outcome(json, report.outcome());
        json.name("memory-hash").value(report.memoryHash().isPresent()
                ? MemoryHash.hex(report.memoryHash().getAsLong()) : null);
        json.name("console").value(report.console());
        FaultStats f = report.faults();
        json.name("network-faults").value(f.networkFaults());
        json.name("minor-faults").value(f.minorFaults());
        json.name("page-requests").value(f.requests());
        MigrationReportJson.faultLatency(json, f);
        json.name("progress-rate-during").value(tenths(report.progressRateDuring()));
        json.name("progress-rate-after").value(tenths(report.progressRateAfter()));
        report.balloon().writeJson(json);
        return json.endObject().toJson();
    }

    private static double tenths(double value) {
        return Double.isFinite(value) ? Math.round(value * 10) / 10.0 : value;
    }
}
