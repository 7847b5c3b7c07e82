package org.migrationlab.migration.faults;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in fault plans: a whole number of milliseconds written {@code Nms} or, canonically when it is
 * a whole number of seconds, {@code Ns}.
 */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,10})(ms|s)");

    private Durations() {
    }

    static String print(long millis) {
        return millis != 0 && millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** The milliseconds of {@code text}, or -1 when it is no duration. */
    static long parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        long value = Long.parseLong(m.group(1));
        long millis = m.group(2).equals("s") ? value * 1000 : value;
        return millis > Fault.MAX_MILLIS ? -1 : millis;
    }
}
