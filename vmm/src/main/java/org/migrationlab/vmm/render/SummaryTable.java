package org.migrationlab.vmm.render;

import java.util.Map;
import java.util.stream.Collectors;

import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;

/**
 * A {@link RunReport} as a two-column table for people; {@link org.migrationlab.migration.report.ReportJson}
 * renders it for programs.
 */
public final class SummaryTable {
    private static final String ROW = "%-16s %s%n";

    private SummaryTable() {
    }

    public static String render(RunReport report) {
        StringBuilder out = new StringBuilder();
        row(out, "workload", (report.workload().isEmpty() ? "(kernel default)" : report.workload())
                + (report.args().isEmpty() ? "" : "  " + arguments(report.args())));
        row(out, "image", report.image());
        row(out, "memory", HumanUnits.bytes(report.memoryBytes()) + ", seed " + report.seed());
        outcome(out, report.outcome());
        row(out, "memory hash", org.migrationlab.emulator.port.GuestSummary.hex(report.memoryHash()));
        row(out, "wall time", HumanUnits.duration(report.wallTimeNanos()));
        long virtualNanos = report.virtualTimeNanos();
        row(out, "virtual clock", HumanUnits.duration(virtualNanos)
                + (virtualNanos < 1000 ? "" : " (" + HumanUnits.count(virtualNanos) + " ns)"));
        row(out, "exits", report.exits().entrySet().stream()
                .map(e -> e.getKey() + " " + HumanUnits.count(e.getValue()))
                .collect(Collectors.joining(", ")));
        row(out, "page faults", HumanUnits.count(report.pageFaults()));
        row(out, "progress", HumanUnits.count(report.progress().progress()) + " units ("
                + HumanUnits.rate(report.progressPerSecond()) + " units/s)");
        for (Map.Entry<String, Long> counter : report.progress().named().entrySet()) {
            if (!counter.getKey().equals("progress")) {
                row(out, counter.getKey(), HumanUnits.count(counter.getValue()));
            }
        }
        if (report.instructions().isPresent()) {
            row(out, "instructions", HumanUnits.count(report.instructions().getAsLong()) + " ("
                    + HumanUnits.rate(report.instructionsPerSecond().orElseThrow()) + " instructions/s)");
        } else {
            row(out, "instructions", "not counted (use --count-instructions)");
        }
        BalloonSummary balloon = report.balloon();
        if ("on".equals(balloon.dsb())) {
            row(out, "balloon", HumanUnits.count(balloon.sizePages()) + " pages at the end ("
                    + HumanUnits.count(balloon.inflations()) + " inflations, " + HumanUnits.count(balloon.deflations())
                    + " deflations, " + HumanUnits.count(balloon.pressureDeflations()) + " under pressure)");
        }
        return out.toString();
    }

    private static void outcome(StringBuilder out, GuestOutcome outcome) {
        switch (outcome) {
            case GuestOutcome.Halted halted -> {
                row(out, "status", halted.status() == 0 ? "halted, status 0 (success)"
                        : "halted, status " + halted.status() + " (failure)");
                row(out, "result", HumanUnits.hex64(halted.result()) + " (" + Long.toUnsignedString(halted.result()) + ")");
            }
            case GuestOutcome.Crashed crashed -> {
                row(out, "status", "crashed: " + crashed.message());
                row(out, "result", "none");
            }
            case GuestOutcome.Failed failed -> {
                row(out, "status", "host error: " + failed.message());
                row(out, "result", "none");
            }
        }
    }

    private static String arguments(Map<String, String> args) {
        return args.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append(String.format(java.util.Locale.ROOT, ROW, label, value));
    }
}
