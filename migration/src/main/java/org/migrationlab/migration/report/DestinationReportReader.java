package org.migrationlab.migration.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import tools.jackson.databind.JsonNode;

/**
 * Turns a destination report's JSON tree back into a {@link DestinationReport}. Written by hand because
 * the outcome is unwrapped into flat keys ({@link OutcomeFields}); every other value is read from the key
 * the record's annotation names. Each missing or mistyped key is an {@link IllegalArgumentException}
 * naming it.
 */
final class DestinationReportReader {
    private DestinationReportReader() {
    }

    static DestinationReport read(JsonNode report) {
        if (!report.isObject()) {
            throw new IllegalArgumentException("destination report: not a JSON object");
        }
        Map<String, String> args = new LinkedHashMap<>();
        JsonNode argsNode = member(report, "args");
        if (!argsNode.isObject()) {
            throw wrong("args", "an object");
        }
        argsNode.properties().forEach(e -> args.put(e.getKey(), text(argsNode, e.getKey())));
        JsonNode hash = member(report, "memory-hash");
        OptionalLong memoryHash = hash.isNull() ? OptionalLong.empty()
                : OptionalLong.of(Long.parseUnsignedLong(text(report, "memory-hash"), 16));
        JsonNode latency = member(report, "fault-latency-us");
        FaultStats faults = new FaultStats(count(report, "network-faults"), count(report, "minor-faults"),
                count(report, "page-requests"), number(latency, "p50"), number(latency, "p90"),
                number(latency, "p99"), number(latency, "max"));
        JsonNode balloon = member(report, "balloon");
        BalloonSummary balloonSummary = new BalloonSummary(text(balloon, "dsb"), count(balloon, "size-pages"),
                count(balloon, "inflations"), count(balloon, "deflations"), count(balloon, "pressure-deflations"),
                count(balloon, "pages-returned"), count(balloon, "pages-reclaimed"), count(balloon, "saved-pages"));
        return new DestinationReport(text(report, "migration-id"), text(report, "workload"),
                count(report, "memory-bytes"), count(report, "seed"), args, outcome(report), memoryHash,
                text(report, "console"), faults, number(report, "progress-rate-during"),
                number(report, "progress-rate-after"), balloonSummary);
    }

    private static GuestOutcome outcome(JsonNode report) {
        String word = text(report, "outcome");
        return switch (word) {
            case "halted" -> new GuestOutcome.Halted(Long.parseUnsignedLong(hex(report, "result"), 16),
                    count(report, "status"));
            case "crashed" -> {
                JsonNode crash = member(report, "crash");
                JsonNode address = member(crash, "address");
                yield new GuestOutcome.Crashed(text(crash, "kind"), Long.parseUnsignedLong(hex(crash, "rip"), 16),
                        address.isNull() ? -1 : Long.parseUnsignedLong(hex(crash, "address"), 16),
                        text(crash, "message"));
            }
            case "failed" -> new GuestOutcome.Failed(text(report, "error"));
            default -> throw wrong("outcome", "halted, crashed or failed");
        };
    }

    private static JsonNode member(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new IllegalArgumentException("destination report: no " + key);
        }
        return value;
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = member(node, key);
        if (!value.isString()) {
            throw wrong(key, "a string");
        }
        return value.stringValue();
    }

    private static String hex(JsonNode node, String key) {
        String text = text(node, key);
        if (!text.matches("0x[0-9a-f]{16}")) {
            throw wrong(key, "a 0x-prefixed 64-bit hex string");
        }
        return text.substring(2);
    }

    private static long count(JsonNode node, String key) {
        JsonNode value = member(node, key);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw wrong(key, "a whole number");
        }
        return value.longValue();
    }

    /** A number, or NaN where the report wrote null (an unknown rate). */
    private static double number(JsonNode node, String key) {
        JsonNode value = member(node, key);
        if (value.isNull()) {
            return Double.NaN;
        }
        if (!value.isNumber()) {
            throw wrong(key, "a number");
        }
        return value.doubleValue();
    }

    private static IllegalArgumentException wrong(String key, String expected) {
        return new IllegalArgumentException("destination report: " + key + " is not " + expected);
    }
}
