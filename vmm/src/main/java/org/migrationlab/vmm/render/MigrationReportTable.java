package org.migrationlab.vmm.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.MigrationReport;

/**
 * A {@link MigrationReport} as a two-column table for people; {@link org.migrationlab.migration.report.MigrationReportJson} is the one for
 * programs. Rows carry QEMU's names (query-migrate, as in the JSON keys) where QEMU has one.
 */
public final class MigrationReportTable {
    private static final String ROW = "%-18s %s%n";

    private MigrationReportTable() {
    }

    public static String render(MigrationReport r) {
        StringBuilder out = new StringBuilder();
        row(out, "status", r.status());
        if (r.error() != null) {
            row(out, "error-desc", r.error());
        }
        boolean precopy = "precopy".equals(r.mode());
        row(out, "mode", r.mode() + (precopy ? ", stop policy " + r.stopPolicy() : ", prepage " + r.prepage()));
        if (r.switchReason() != null && !r.switchReason().isEmpty()) {
            row(out, "switch-reason", r.switchReason());
        }
        row(out, "total-time", millis(r.totalTimeMs()));
        row(out, "setup-time", millis(r.setupTimeMs()));
        row(out, "downtime", millis(r.downtimeMs())
                + (r.expectedDowntimeMs() >= 0 ? " (expected " + millis(r.expectedDowntimeMs()) + ")" : ""));
        row(out, "transferred", size(r.transferredBytes()) + " (precopy " + size(r.precopyBytes()) + ", downtime "
                + size(r.downtimeBytes()) + ", postcopy " + size(r.postcopyBytes()) + ")");
        row(out, "total", size(r.totalBytes()) + " of guest RAM, " + HumanUnits.count(r.guestPages()) + " pages");
        row(out, "remaining", size(r.remainingBytes()));
        row(out, "mbps", String.format(Locale.ROOT, "%.1f", r.mbps()));
        row(out, "pages sent", HumanUnits.count(r.pagesSent()) + ": duplicate (zero) "
                + HumanUnits.count(r.duplicatePages()) + ", normal " + HumanUnits.count(r.normalPages()) + " ("
                + size(r.normalBytes()) + " of data)");
        row(out, "pages-by-kind", pagesByKind(r.pagesByKind()));
        row(out, "resent-pages", HumanUnits.count(r.resentPages()));
        if (precopy || "hybrid".equals(r.mode())) {
            row(out, "dirty-sync-count", HumanUnits.count(r.dirtySyncCount()));
            row(out, "dirty-pages-rate", HumanUnits.rate(r.dirtyPagesRate()) + " pages/s");
        }
        row(out, "postcopy-requests", HumanUnits.count(r.postcopyRequests()));
        FaultStats f = r.faults();
        double ratio = f.networkFaultRatio();
        row(out, "network-faults", HumanUnits.count(f.networkFaults()) + " (minor faults " + HumanUnits.count(f.minorFaults())
                + (Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, ", %.1f %% of first touches", ratio * 100))
                + (r.workingSetPages() > 0 ? String.format(Locale.ROOT, ", %.1f %% of the working set",
                        r.networkFaultsOfWorkingSet() * 100) : "")
                + ")");
        row(out, "fault-latency", f.networkFaults() == 0 ? "-" : "p50 " + micros(f.latencyP50Micros()) + ", p90 "
                + micros(f.latencyP90Micros()) + ", p99 " + micros(f.latencyP99Micros()) + ", max "
                + micros(f.latencyMaxMicros()));
        MigrationReport.ProgressRates p = r.progress();
        row(out, "progress-rate", "before " + rate(p.before()) + ", during " + rate(p.during()) + ", after "
                + rate(p.after()) + " (units/s)");
        BalloonSummary b = r.balloon();
        if ("on".equals(b.dsb()) || b.sizePages() > 0) {
            row(out, "balloon", HumanUnits.count(b.sizePages()) + " pages (" + size(b.sizePages() * 4096)
                    + ") at the switch-over; " + HumanUnits.count(b.savedPages()) + " page sends saved; "
                    + HumanUnits.count(b.inflations()) + " inflations, " + HumanUnits.count(b.deflations())
                    + " deflations");
        } else {
            row(out, "balloon", "dsb off");
        }
        if (r.oracle() != null && !"not-checked".equals(r.oracle())) {
            row(out, "oracle", r.oracle());
        }
        return out.toString();
    }

    /** Pre-copy rounds in order, then stop-and-copy, push, prepage, demand; kinds with no page are left out. */
    static String pagesByKind(Map<String, Long> byKind) {
        List<Map.Entry<String, Long>> rows = new ArrayList<>(byKind.entrySet());
        rows.sort((a, b) -> Integer.compare(kindOrder(a.getKey()), kindOrder(b.getKey())));
        String text = rows.stream().filter(e -> e.getValue() != 0)
                .map(e -> e.getKey() + " " + HumanUnits.count(e.getValue()))
                .collect(Collectors.joining(", "));
        return text.isEmpty() ? "none" : text;
    }

    private static int kindOrder(String kind) {
        if (kind.startsWith("precopy-round-")) {
            try {
                return Integer.parseInt(kind.substring("precopy-round-".length()));
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE - 10;
            }
        }
        return switch (kind) {
            case "stop-and-copy" -> Integer.MAX_VALUE - 5;
            case "push" -> Integer.MAX_VALUE - 4;
            case "prepage" -> Integer.MAX_VALUE - 3;
            case "demand" -> Integer.MAX_VALUE - 2;
            default -> Integer.MAX_VALUE - 1;
        };
    }

    private static String millis(double ms) {
        return Double.isFinite(ms) ? HumanUnits.duration(Math.round(ms * 1e6)) : "-";
    }

    private static String micros(double us) {
        return Double.isFinite(us) ? HumanUnits.duration(Math.round(us * 1e3)) : "-";
    }

    private static String rate(double perSecond) {
        return Double.isFinite(perSecond) ? HumanUnits.rate(perSecond) : "-";
    }

    /** 67_456_789 → "64.3 MiB"; whole binary units stay exact ("512 MiB"). */
    static String size(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        int scale = -1;
        while (value >= 1024 && scale < units.length - 1) {
            value /= 1024;
            scale++;
        }
        return (value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value)) + " " + units[scale];
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, ROW, label, value));
    }
}
