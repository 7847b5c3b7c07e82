package org.migrationlab.vmm.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * Durations on the command line, in nanoseconds: a number (fractions allowed) with a unit {@code ns},
 * {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m} or {@code h} ({@code 100us}, {@code 2ms},
 * {@code 1.5s}); a bare {@code 0} means none.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|µs|ms|s|m|min|h)?");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    /** The duration in nanoseconds; throws {@link CommandLine.TypeConversionException} with a readable message. */
    public static long parse(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration: give a number with ns,"
                    + " us, ms, s, m or h (like 100us, 2ms, 1s)");
        }
        BigDecimal number = new BigDecimal(m.group(1));
        if (m.group(2) == null) {
            if (number.signum() == 0) {
                return 0;
            }
            throw new CommandLine.TypeConversionException("'" + text + "' needs a unit: ns, us, ms, s, m or h"
                    + " (like " + m.group(1) + "ms)");
        }
        long nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
        BigDecimal nanos = number.multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too long a duration");
        }
        if (nanos.signum() > 0 && nanos.compareTo(BigDecimal.ONE) < 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' is shorter than a nanosecond");
        }
        return nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }

    /** 100_000 → "100us"; for messages and defaults shown back to the user. */
    public static String format(long nanos) {
        if (nanos == 0) {
            return "0";
        }
        String[] units = {"h", "m", "s", "ms", "us"};
        long[] sizes = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        for (int i = 0; i < units.length; i++) {
            if (nanos % sizes[i] == 0) {
                return nanos / sizes[i] + units[i];
            }
        }
        return nanos + "ns";
    }
}
