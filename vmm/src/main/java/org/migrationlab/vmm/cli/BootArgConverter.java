package org.migrationlab.vmm.cli;

import java.util.Map;
import java.util.regex.Pattern;

import org.migrationlab.emulator.image.BootArgs;

import picocli.CommandLine;

/** One {@code --arg key=value}: a boot argument for the guest's workload. */
public final class BootArgConverter implements CommandLine.ITypeConverter<Map.Entry<String, String>> {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+");

    @Override
    public Map.Entry<String, String> convert(String value) {
        return parse(value);
    }

    public static Map.Entry<String, String> parse(String text) {
        Map.Entry<String, String> pair;
        try {
            pair = BootArgs.parsePair(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not key=value (like wss=128M)");
        }
        if (!KEY.matcher(pair.getKey()).matches()) {
            throw new CommandLine.TypeConversionException("'" + pair.getKey() + "' is not a valid argument name: use letters,"
                    + " digits, '_', '.' and '-'");
        }
        if (pair.getValue().indexOf('=') >= 0 || pair.getValue().indexOf('\0') >= 0) {
            throw new CommandLine.TypeConversionException("the value of '" + pair.getKey() + "' may not contain '='");
        }
        return pair;
    }
}
