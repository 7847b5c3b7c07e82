package org.migrationlab.vmm.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * Sizes on the command line: plain bytes ({@code 4096}) or a number with a binary suffix {@code K},
 * {@code M}, {@code G} or {@code T}, optionally followed by {@code iB} or {@code B}
 * ({@code 64K}, {@code 512M}, {@code 1GiB}; always powers of 1024).
 */
public final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("([0-9]+)(?:([KMGT])(?:I?B)?)?");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    /** The size in bytes; throws {@link CommandLine.TypeConversionException} with a readable message. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException(
                    "'" + text + "' is not a size: give bytes or a number with K, M, G or T (like 64K, 512M, 1G)");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2).charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 40;
        };
        try {
            long number = Long.parseLong(m.group(1));
            if (number > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return number << shift;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too large a size");
        }
    }
}
