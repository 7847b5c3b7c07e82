package org.migrationlab.migration.oracle;

import java.util.List;
import java.util.Objects;

/**
 * What the oracle found, and in words what it compared or what differs.
 *
 * @param details for {@link Finding#IDENTICAL} what was compared; for {@link Finding#DIFFERS} each
 *                difference; for {@link Finding#NOT_CHECKED} why
 */
public record Verdict(Finding finding, List<String> details) {
    /** The three findings; {@link #word()} is how reports write them (the migration report's {@code oracle}). */
    public enum Finding {
        IDENTICAL("identical"), DIFFERS("differs"), NOT_CHECKED("not-checked");

        private final String word;

        Finding(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public Verdict {
        Objects.requireNonNull(finding, "finding");
        details = List.copyOf(details);
    }

    public static Verdict notChecked(String why) {
        return new Verdict(Finding.NOT_CHECKED, List.of(why));
    }

    public boolean identical() {
        return finding == Finding.IDENTICAL;
    }

    /** The finding with its details in brackets, e.g. "identical (result 0x…, …)". */
    public String describe() {
        return finding.word() + (details.isEmpty() ? "" : " (" + String.join("; ", details) + ")");
    }
}
