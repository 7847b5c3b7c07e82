package org.migrationlab.vmm.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.DowntimeBreakdown;
import org.migrationlab.migration.report.FaultLatency;
import org.migrationlab.migration.report.FaultLatencyBreakdown;
import org.migrationlab.migration.report.MigrationReport;

/**
 * A {@link MigrationReport} as a two-column table for people; {@link org.migrationlab.migration.report.ReportJson}
 * renders it for programs. Rows carry QEMU's names (query-migrate, as in the JSON keys) where QEMU has one.
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
        MigrationReport.Scheme scheme = r.scheme();
        boolean precopy = "precopy".equals(scheme.mode());
        // Each mode shows what steers it: pre-copy its stop policy, post-copy and hybrid their prepaging;
        // stop-and-copy has neither ("n/a" in both).
        row(out, "mode", scheme.mode() + (precopy ? ", stop policy " + scheme.stopPolicy()
                : "n/a".equals(scheme.prepage()) ? "" : ", prepage " + scheme.prepage()));
        if (scheme.switchReason() != null && !scheme.switchReason().isEmpty()) {
            row(out, "switch-reason", scheme.switchReason());
        }
        MigrationReport.Timing timing = r.timing();
        row(out, "total-time", millis(timing.totalMs()));
        row(out, "setup-time", millis(timing.setupMs()));
        row(out, "downtime", millis(timing.downtimeMs())
                + (timing.expectedDowntimeMs() >= 0 ? " (expected " + millis(timing.expectedDowntimeMs()) + ")" : ""));
        DowntimeBreakdown breakdown = timing.downtimeBreakdown();
        if (breakdown != null) {
            row(out, "downtime-breakdown", "capture " + millis(breakdown.captureMs()) + ", send " + millis(breakdown.sendMs())
                    + (breakdown.durableMs() > 0 ? " (durable writes " + millis(breakdown.durableMs()) + ")" : "")
                    + ", network " + millis(breakdown.networkMs()) + ", receive " + millis(breakdown.receiveMs())
                    + ", restore " + millis(breakdown.restoreMs()) + ", resume " + millis(breakdown.resumeMs())
                    + " (pausing the vCPU took " + millis(breakdown.pauseMs()) + " before)");
        }
        MigrationReport.Transfer transfer = r.transfer();
        MigrationReport.Phases phases = r.phases();
        MigrationReport.Pages pages = r.pages();
        row(out, "transferred", size(transfer.transferredBytes()) + " (precopy " + size(phases.precopyBytes())
                + ", downtime " + size(phases.downtimeBytes()) + ", postcopy " + size(phases.postcopyBytes()) + ")");
        row(out, "total", size(transfer.totalBytes()) + " of guest RAM, " + HumanUnits.count(pages.guestPages())
                + " pages");
        row(out, "remaining", size(transfer.remainingBytes()));
        row(out, "mbps", String.format(Locale.ROOT, "%.1f", r.convergence().mbps()));
        row(out, "pages sent", HumanUnits.count(transfer.pagesSent()) + ": duplicate (zero) "
                + HumanUnits.count(transfer.duplicatePages()) + ", normal " + HumanUnits.count(transfer.normalPages())
                + " (" + size(transfer.normalBytes()) + " of data)");
        row(out, "pages-by-kind", pagesByKind(pages.byKind()));
        row(out, "resent-pages", HumanUnits.count(pages.resentPages()));
        if (precopy || "hybrid".equals(scheme.mode())) {
            row(out, "dirty-sync-count", HumanUnits.count(r.convergence().dirtySyncCount()));
            row(out, "dirty-pages-rate", HumanUnits.rate(r.convergence().dirtyPagesRate()) + " pages/s");
            row(out, "cpu-throttle", r.convergence().cpuThrottlePercentage() + " % of the guest's time");
            if (r.convergence().dirtyLogFaults() > 0) {
                row(out, "dirty-log-faults", HumanUnits.count(r.convergence().dirtyLogFaults())
                        + " (write-protect dirty logging)");
            }
            for (MigrationReport.PrecopyRound round : r.convergence().rounds()) {
                row(out, round.round() == 0 ? "precopy-rounds" : "", roundLine(round));
            }
        }
        row(out, "postcopy-requests", HumanUnits.count(phases.postcopyRequests()));
        MigrationReport.Recovery recovery = r.recovery();
        if (recovery.recoveries() > 0) {
            // Shown only when the link broke: a migration without a recovery has nothing to say here.
            row(out, "recoveries", HumanUnits.count(recovery.recoveries()) + " post-copy (recovery-time "
                    + millis(recovery.recoveryMs()) + ", pages lost in flight and resent "
                    + HumanUnits.count(recovery.lostPagesResent()) + ")");
        }
        if (recovery.rollback() != null) {
            MigrationReport.Rollback rollback = recovery.rollback();
            row(out, "rollback", "to the " + rollback.point() + " (rollback-time " + millis(rollback.rollbackMs())
                    + " from the link's loss to the guest running here; lost with the destination: "
                    + (rollback.postcopyPagesLost() < 0 ? "an unknown number of" // sent by a dead source process
                    : HumanUnits.count(rollback.postcopyPagesLost())) + " post-copy pages and its progress since the"
                    + " switch-over)");
        }
        if (recovery.restart() != null) {
            MigrationReport.SourceRestart restart = recovery.restart();
            row(out, "source-restart", "this process took migration " + restart.migrationId() + " over (source"
                    + " restart " + restart.restarts() + "): " + (restart.pagesOwed() < 0
                    ? "the destination never said which pages it lacked" : "the destination lacked "
                    + HumanUnits.count(restart.pagesOwed()) + " pages") + ", " + HumanUnits.count(restart.pagesServed())
                    + " sent" + (restart.completedAtEpochMs() > 0 && restart.reconnectedAtEpochMs() > 0
                    ? ", complete " + millis(restart.completedAtEpochMs() - restart.reconnectedAtEpochMs())
                    + " after the reconnection" : "")
                    + (restart.killToCompleteMs() >= 0 ? ", " + millis(restart.killToCompleteMs())
                    + " after the kill" : ""));
        }
        MigrationReport.NetworkFaults faults = r.faults().network();
        double ratio = faults.ratio();
        row(out, "network-faults", HumanUnits.count(faults.count()) + " (minor faults " + HumanUnits.count(faults.minor())
                + (Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, ", %.1f %% of first touches", ratio * 100))
                + (faults.workingSetPages() > 0 ? String.format(Locale.ROOT, ", %.1f %% of the working set",
                        faults.shareOfWorkingSet() * 100) : "")
                + ")");
        FaultLatency latency = r.faults().latency();
        row(out, "fault-latency", faults.count() == 0 ? "-" : "p50 " + micros(latency.p50Micros()) + ", p90 "
                + micros(latency.p90Micros()) + ", p99 " + micros(latency.p99Micros()) + ", max "
                + micros(latency.maxMicros()));
        FaultLatencyBreakdown stages = r.faults().breakdown();
        if (stages != null) {
            // Where a median fault's time went, stage by stage (the sampled faults' medians of each stage).
            FaultLatencyBreakdown.Stages p50 = stages.p50();
            row(out, "fault-breakdown", "p50: request " + micros(p50.request()) + ", source " + micros(p50.source())
                    + ", network " + micros(p50.network()) + ", install " + micros(p50.install()) + ", resume "
                    + micros(p50.resume()) + " (" + stages.sampled() + " faults sampled)");
        }
        MigrationReport.ProgressRates p = r.progress();
        row(out, "progress-rate", "before " + rate(p.before()) + ", during " + rate(p.during()) + ", after "
                + rate(p.after()) + " (units/s)" + (p.heldAt() >= 0 ? "; the source held the guest at "
                + HumanUnits.count(p.heldAt()) + " until the migration was over (--hold-at)" : ""));
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

    /** One pre-copy round on one line. */
    static String roundLine(MigrationReport.PrecopyRound round) {
        return "round " + round.round() + ": " + HumanUnits.count(round.pages()) + " pages in " + millis(round.timeMs())
                + String.format(Locale.ROOT, " (%.1f mbps), ", round.mbps()) + HumanUnits.count(round.dirtyPages())
                + " dirtied; throttle " + round.cpuThrottlePercentage() + " %, progress " + rate(round.progressRate())
                + " units/s";
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
