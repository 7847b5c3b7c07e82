package org.migrationlab.migration.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads back what {@link MigrationReportJson} wrote (for instance by another process), so that the
 * report can be completed (an oracle verdict) and rendered again. {@code render(read(json))} is
 * {@code json}; the one field the JSON does not carry, the destination's page-request count inside
 * {@link FaultStats}, is taken from {@code postcopy-requests}. Missing or mistyped keys throw
 * {@link IllegalArgumentException} naming the key.
 */
public final class MigrationReportJsonReader {
    private MigrationReportJsonReader() {
    }

    public static MigrationReport read(String json) {
        Map<String, Object> r = JsonReader.parseObject(json);
        Map<String, Object> faults = object(r, "network-faults");
        Map<String, Object> latency = object(r, "fault-latency-us");
        Map<String, Object> rates = object(r, "progress-rate");
        Map<String, Object> balloon = object(r, "balloon");
        Map<String, Long> pagesByKind = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(r, "pages-by-kind").entrySet()) {
            if (!(e.getValue() instanceof Long count)) {
                throw new IllegalArgumentException("migration report: pages-by-kind." + e.getKey() + " is not a count");
            }
            pagesByKind.put(e.getKey(), count);
        }
        long postcopyRequests = integer(r, "postcopy-requests");
        return new MigrationReport(
                string(r, "status"), r.containsKey("error-desc") ? string(r, "error-desc") : null,
                string(r, "mode"), string(r, "prepage"), string(r, "stop-policy"), string(r, "switch-reason"),
                number(r, "total-time"), number(r, "setup-time"), number(r, "downtime"), number(r, "expected-downtime"),
                integer(r, "transferred"), integer(r, "remaining"), integer(r, "total"),
                integer(r, "duplicate"), integer(r, "normal"), integer(r, "normal-bytes"),
                number(r, "dirty-pages-rate"), number(r, "mbps"), Math.toIntExact(integer(r, "dirty-sync-count")),
                postcopyRequests, integer(r, "precopy-bytes"), integer(r, "downtime-bytes"),
                integer(r, "postcopy-bytes"), pagesByKind, integer(r, "resent-pages"), integer(r, "guest-pages"),
                integer(faults, "working-set-pages"),
                new FaultStats(integer(faults, "count"), integer(faults, "minor"), postcopyRequests,
                        number(latency, "p50"), number(latency, "p90"), number(latency, "p99"), number(latency, "max")),
                new MigrationReport.ProgressRates(number(rates, "before"), number(rates, "during"),
                        number(rates, "after")),
                new BalloonSummary(string(balloon, "dsb"), integer(balloon, "size-pages"),
                        integer(balloon, "inflations"), integer(balloon, "deflations"),
                        integer(balloon, "pressure-deflations"), integer(balloon, "pages-returned"),
                        integer(balloon, "pages-reclaimed"), integer(balloon, "saved-pages")),
                string(r, "oracle"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> map, String key) {
        if (!(map.get(key) instanceof Map<?, ?> value)) {
            throw missing(key, "an object");
        }
        return (Map<String, Object>) value;
    }

    private static String string(Map<String, Object> map, String key) {
        if (!map.containsKey(key)) {
            throw missing(key, "a string");
        }
        Object value = map.get(key);
        if (value != null && !(value instanceof String)) {
            throw missing(key, "a string");
        }
        return (String) value;
    }

    private static long integer(Map<String, Object> map, String key) {
        if (!(map.get(key) instanceof Long value)) {
            throw missing(key, "an integer");
        }
        return value;
    }

    /** A number; JSON null (how non-finite values are written) reads as NaN. */
    private static double number(Map<String, Object> map, String key) {
        if (!map.containsKey(key)) {
            throw missing(key, "a number");
        }
        return switch (map.get(key)) {
            case null -> Double.NaN;
            case Long l -> l;
            case Double d -> d;
            default -> throw missing(key, "a number");
        };
    }

    private static IllegalArgumentException missing(String key, String what) {
        return new IllegalArgumentException("migration report: '" + key + "' is missing or not " + what);
    }
}
