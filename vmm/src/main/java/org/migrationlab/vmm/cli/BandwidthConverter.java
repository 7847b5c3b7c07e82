package org.migrationlab.vmm.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * Link bandwidths on the command line, in bits per second. {@code 0} means unlimited. Otherwise a
 * number (fractions allowed) with a rate unit: bits as {@code bit}, {@code kbit}, {@code mbit},
 * {@code gbit}, {@code tbit} (also spelt {@code Mbps}, {@code Mb/s}, {@code Mbit/s}), or bytes as
 * {@code B/s}, {@code KB/s}, {@code MB/s}, {@code GB/s} (powers of 1000, like every network rate) or
 * {@code KiB/s}, {@code MiB/s}, {@code GiB/s} (powers of 1024). A lower-case {@code b} is a bit, an
 * upper-case {@code B} a byte: {@code 1gbit} = {@code 1Gb/s} = {@code 125MB/s}.
 */
public final class BandwidthConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern RATE = Pattern.compile(
            "([0-9]+(?:\\.[0-9]+)?)\\s*([kKmMgGtT]?)(i?)(bit|bit/s|bps|b/s|B/s|Bps)");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    /** The bandwidth in bits per second (0 = unlimited); throws {@link CommandLine.TypeConversionException}. */
    public static long parse(String text) {
        String s = text.strip();
        if (s.matches("0+(\\.0+)?")) {
            return 0;
        }
        Matcher m = RATE.matcher(s);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a bandwidth: give 0 (unlimited) or a"
                    + " rate like 1gbit, 100mbit or 125MB/s");
        }
        boolean binary = !m.group(3).isEmpty();
        if (binary && m.group(2).isEmpty()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a bandwidth: 'i' needs a prefix"
                    + " (like 100MiB/s)");
        }
        int power = switch (Character.toLowerCase(m.group(2).isEmpty() ? ' ' : m.group(2).charAt(0))) {
            case 'k' -> 1;
            case 'm' -> 2;
            case 'g' -> 3;
            case 't' -> 4;
            default -> 0;
        };
        boolean bytes = m.group(4).startsWith("B");
        BigDecimal bits = new BigDecimal(m.group(1))
                .multiply(BigDecimal.valueOf(binary ? 1024 : 1000).pow(power))
                .multiply(BigDecimal.valueOf(bytes ? 8 : 1));
        if (bits.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too high a bandwidth");
        }
        long result = bits.setScale(0, RoundingMode.HALF_UP).longValueExact();
        if (result == 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' is below one bit per second (use 0 for"
                    + " unlimited)");
        }
        return result;
    }

    /** 1_000_000_000 → "1 Gbit/s"; 0 → "unlimited". */
    public static String format(long bitsPerSecond) {
        if (bitsPerSecond == 0) {
            return "unlimited";
        }
        return org.migrationlab.vmm.render.HumanUnits.rate(bitsPerSecond) + "bit/s";
    }
}
