package org.migrationlab.emulator.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The guest's boot arguments: a workload name, {@code key=value} pairs and a seed, written into the
 * boot-info page (guest_abi.h). Validated here so the guest never sees a malformed list.
 */
public record BootArgs(String workload, Map<String, String> args, long seed) {
    public static final int WORKLOAD_NAME_MAX = 31;
    public static final int ARGS_MAX = 3840;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]*");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+");

    public BootArgs {
        if (workload.length() > WORKLOAD_NAME_MAX || !NAME.matcher(workload).matches()) {
            throw new IllegalArgumentException("workload name '" + workload + "' must be at most "
                    + WORKLOAD_NAME_MAX + " characters of [A-Za-z0-9_.-]");
        }
        args = new LinkedHashMap<>(args);
        for (Map.Entry<String, String> e : args.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("argument name '" + e.getKey() + "' must be [A-Za-z0-9_.-]+");
            }
            if (e.getValue().indexOf('\0') >= 0 || e.getValue().indexOf('=') >= 0) {
                throw new IllegalArgumentException("argument '" + e.getKey() + "' has a NUL or '=' in its value");
            }
        }
        if (encodeArgs(args).length > ARGS_MAX) {
            throw new IllegalArgumentException("boot arguments exceed " + ARGS_MAX + " bytes");
        }
        args = java.util.Collections.unmodifiableMap(args);
    }

    public static BootArgs of(String workload, long seed) {
        return new BootArgs(workload, Map.of(), seed);
    }

    public Optional<String> arg(String key) {
        return Optional.ofNullable(args.get(key));
    }

    /** "key=value\0key=value\0\0". */
    public byte[] encodedArgs() {
        return encodeArgs(args);
    }

    private static byte[] encodeArgs(Map<String, String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : args.entrySet()) {
            out.writeBytes((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        out.write(0);
        return out.toByteArray();
    }

    /** Parses "key=value" as given on a command line. */
    public static Map.Entry<String, String> parsePair(String pair) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("argument '" + pair + "' is not key=value");
        }
        return Map.entry(pair.substring(0, eq), pair.substring(eq + 1));
    }
}
