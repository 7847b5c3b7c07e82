package org.migrationlab.migration.report;

import java.util.Map;

/** The one place that renders a {@link MigrationReport} as JSON (QEMU's key names). */
public final class MigrationReportJson {
    private MigrationReportJson() {
    }

    /** The {@code fault-latency-us} object (p50, p90, p99, max): shared with the daemon's report. */
    static void faultLatency(JsonWriter json, FaultStats f) {
        json.name("fault-latency-us").beginObject()
                .name("p50").value(f.latencyP50Micros())
                .name("p90").value(f.latencyP90Micros())
                .name("p99").value(f.latencyP99Micros())
                .name("max").value(f.latencyMaxMicros())
                .endObject();
    }

    public static String render(MigrationReport r) {
        JsonWriter json = new JsonWriter().beginObject();
        json.name("status").value(r.status());
        if (r.error() != null) {
            json.name("error-desc").value(r.error());
        }
        json.name("mode").value(r.mode());
        json.name("prepage").value(r.prepage());
        json.name("stop-policy").value(r.stopPolicy());
        json.name("switch-reason").value(r.switchReason());
        json.name("total-time").value(r.totalTimeMs());
        json.name("setup-time").value(r.setupTimeMs());
        json.name("downtime").value(r.downtimeMs());
        json.name("expected-downtime").value(r.expectedDowntimeMs());
        json.name("transferred").value(r.transferredBytes());
        json.name("remaining").value(r.remainingBytes());
        json.name("total").value(r.totalBytes());
        json.name("duplicate").value(r.duplicatePages());
        json.name("normal").value(r.normalPages());
        json.name("normal-bytes").value(r.normalBytes());
        json.name("dirty-pages-rate").value(r.dirtyPagesRate());
        json.name("mbps").value(r.mbps());
        json.name("dirty-sync-count").value(r.dirtySyncCount());
        json.name("postcopy-requests").value(r.postcopyRequests());
        json.name("precopy-bytes").value(r.precopyBytes());
        json.name("downtime-bytes").value(r.downtimeBytes());
        json.name("postcopy-bytes").value(r.postcopyBytes());
        json.name("pages-by-kind").beginObject();
        for (Map.Entry<String, Long> e : r.pagesByKind().entrySet()) {
            json.name(e.getKey()).value(e.getValue());
        }
        json.endObject();
        json.name("resent-pages").value(r.resentPages());
        json.name("guest-pages").value(r.guestPages());
        FaultStats f = r.faults();
        json.name("network-faults").beginObject()
                .name("count").value(f.networkFaults())
                .name("minor").value(f.minorFaults())
                .name("ratio").value(f.networkFaultRatio())
                .name("working-set-pages").value(r.workingSetPages())
                .name("share-of-working-set").value(r.networkFaultsOfWorkingSet())
                .endObject();
        faultLatency(json, f);
        MigrationReport.ProgressRates p = r.progress();
        json.name("progress-rate").beginObject()
                .name("before").value(p.before())
                .name("during").value(p.during())
                .name("after").value(p.after())
                .endObject();
        r.balloon().writeJson(json);
        json.name("oracle").value(r.oracle());
        return json.endObject().toJson();
    }
}
