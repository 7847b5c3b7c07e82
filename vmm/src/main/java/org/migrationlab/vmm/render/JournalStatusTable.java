package org.migrationlab.vmm.render;

import org.migrationlab.migration.report.JournalStatus;

/** A state directory's journaled migrations as a table for people, one line per migration and side. */
public final class JournalStatusTable {
    private static final String ROW = "%-12s %-8s %-17s %-12s %5s  %-30s %-21s %s%n";

    private JournalStatusTable() {
    }

    public static String render(JournalStatus status) {
        if (status.migrations().isEmpty()) {
            return "no migrations journaled in " + status.stateDir() + "\n";
        }
        StringBuilder out = new StringBuilder(String.format(ROW, "SIDE", "ID", "PHASE", "OWNER", "EPOCH", "UPDATED",
                "PEER", "GUEST"));
        for (JournalStatus.Migration m : status.migrations()) {
            out.append(String.format(ROW, m.side(), m.migrationId().substring(0, 8), m.phase(), m.owner(), m.epoch(),
                    m.updatedAt(), m.peer().isEmpty() ? "-" : m.peer(), m.guest().isEmpty() ? "-" : m.guest()));
        }
        return out.toString();
    }
}
