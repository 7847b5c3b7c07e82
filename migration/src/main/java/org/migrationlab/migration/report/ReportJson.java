package org.migrationlab.migration.report;

import java.nio.charset.StandardCharsets;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one place where reports become JSON and JSON becomes a report again, through Jackson. Keys
 * are lower-case words joined by hyphens (QEMU's spelling); 64-bit results and hashes are hex strings
 * (exact in every JSON reader); counts are numbers; absent values are {@code null}, never missing keys,
 * except a migration's {@code error-desc}, which only a failed migration has. Every document ends in a
 * newline. Thread-safe.
 */
public final class ReportJson {
    private static final JsonMapper MAPPER = ReportMapper.create();
    /** The one key a migration report may leave out. */
    private static final String ERROR_DESC = "error-desc";

    private ReportJson() {
    }

    public static String render(RunReport report) {
        return write(report);
    }

    public static String render(MigrationReport report) {
        return write(report);
    }

    public static String render(DestinationReport report) {
        return write(report);
    }

    public static String render(JournalStatus status) {
        return write(status);
    }

    /**
     * Reads back what {@link #render(MigrationReport)} wrote (for instance by another process), so that
     * the report can be completed (an oracle verdict) and rendered again: rendering what this returns
     * gives the same text. Malformed JSON, or a key missing or of the wrong type, throws
     * {@link IllegalArgumentException} naming the key; keys it does not know are ignored.
     */
    public static MigrationReport readMigrationReport(String json) {
        if (!(parse(json) instanceof ObjectNode report)) {
            throw new IllegalArgumentException("migration report: not a JSON object");
        }
        if (!report.has(ERROR_DESC)) {
            report.putNull(ERROR_DESC);
        }
        try {
            return MAPPER.treeToValue(report, MigrationReport.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("migration report: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads what {@link #render(DestinationReport)} wrote, such as another process's destination report, back
     * into its record (the oracle compares it field by field, never by text). Malformed JSON, or a key
     * missing or of the wrong type, throws {@link IllegalArgumentException} naming the key.
     */
    public static DestinationReport readDestinationReport(String json) {
        return DestinationReportReader.read(parse(json));
    }

    /**
     * One JSON document, such as another process's report, as a tree. Anything but exactly one value
     * (empty text, text after the value), duplicate keys and nesting deeper than 64 levels are errors:
     * an {@link IllegalArgumentException} whose message starts with "JSON: ".
     */
    public static JsonNode parse(String json) {
        JsonNode value;
        try {
            value = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("JSON: " + e.getOriginalMessage(), e);
        }
        if (value == null || value.isMissingNode()) {
            throw new IllegalArgumentException("JSON: no value");
        }
        return value;
    }

    /**
     * Written as UTF-8 bytes first: Jackson's UTF-8 writer escapes a lone surrogate (which no UTF-8
     * file can hold) and keeps a pair as the character it encodes, so any Java string, guest console
     * output included, becomes a report that can be written to a file.
     */
    private static String write(Object report) {
        try {
            return new String(MAPPER.writeValueAsBytes(report), StandardCharsets.UTF_8) + "\n";
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot render " + report.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
