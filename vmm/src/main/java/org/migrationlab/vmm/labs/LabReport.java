package org.migrationlab.vmm.labs;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the checker of one lab found in one folder: every check in order, passed or not.
 *
 * @param number the lab's number
 * @param title  the lab's title
 * @param folder the student's folder that was checked
 * @param checks what was checked
 */
public record LabReport(int number, String title, Path folder, List<Check> checks) {
    public LabReport {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(folder, "folder");
        checks = List.copyOf(checks);
    }

    /** Every check passed, and there was at least one. */
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    /** The check called {@code name}. */
    public Check check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check '" + name + "' in " + checks));
    }

    /** One line per check, then the verdict. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("lab ").append(number).append(": ").append(title).append(" (").append(folder).append(")\n");
        for (Check check : checks) {
            out.append(check.passed() ? "  PASS " : "  FAIL ").append(check.name()).append(": ")
                    .append(check.detail()).append('\n');
        }
        long passing = checks.stream().filter(Check::passed).count();
        out.append("lab ").append(number).append(": ").append(passed() ? "PASSED" : "NOT PASSED").append(" (")
                .append(passing).append(" of ").append(checks.size()).append(" checks pass)\n");
        return out.toString();
    }
}
