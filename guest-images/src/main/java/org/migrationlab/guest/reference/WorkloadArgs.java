package org.migrationlab.guest.reference;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A workload's boot arguments, read with the guest's grammar (WORKLOADS.md, "Boot arguments"): integers
 * (decimal or 0x-hex), sizes (digits with an optional K/M/G/T suffix, powers of 1024) and ratios
 * ("0", "1", "0.5", "0.125": per-mille). Like the guest, it refuses keys nobody read.
 */
final class WorkloadArgs {
    private final String workload;
    private final Map<String, String> args;
    private final Set<String> used = new HashSet<>();

    /** The kernel's own arguments (WORKLOADS.md, "Kernel arguments"): every workload accepts them. */
    static final Set<String> KERNEL_KEYS = Set.of("dsb", "dsb-interval", "dsb-reserve");

    WorkloadArgs(String workload, Map<String, String> args) {
        this.workload = workload;
        this.args = Map.copyOf(args);
        used.addAll(KERNEL_KEYS); // read by the kernel, not the workload; they never change a result
    }

    String string(String key, String fallback) {
        used.add(key);
        return args.getOrDefault(key, fallback);
    }

    long integer(String key, long fallback) {
        String s = string(key, null);
        if (s == null) {
            return fallback;
        }
        try {
            if (s.matches("0[xX][0-9a-fA-F]+")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            if (s.matches("[0-9]+")) {
                return Long.parseUnsignedLong(s);
            }
            throw bad(key, s, "an integer");
        } catch (NumberFormatException e) {
            throw bad(key, s, "an integer");
        }
    }

    long size(String key, long fallback) {
        String s = string(key, null);
        if (s == null) {
            return fallback;
        }
        int shift = switch (s.isEmpty() ? ' ' : Character.toUpperCase(s.charAt(s.length() - 1))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(key, s, "a size (like 4096, 64K, 16M, 1G)");
        }
        try {
            long value = Long.parseLong(digits);
            if (value > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(workload + ": " + key + "=" + s + " is larger than any guest memory");
        }
    }

    int permille(String key, int fallback) {
        String s = string(key, null);
        if (s == null) {
            return fallback;
        }
        if (!s.matches("[01](\\.[0-9]{1,3})?")) {
            throw bad(key, s, "a ratio in [0, 1] (like 0.5)");
        }
        int value = (s.charAt(0) - '0') * 1000;
        String fraction = s.length() > 2 ? (s.substring(2) + "00").substring(0, 3) : "000";
        value += Integer.parseInt(fraction);
        if (value > 1000) {
            throw bad(key, s, "a ratio in [0, 1] (like 0.5)");
        }
        return value;
    }

    /** Mirrors the guest's args_reject_unused: a key nobody read is an error. */
    void rejectUnused() {
        for (String key : args.keySet()) {
            if (!used.contains(key)) {
                throw new IllegalArgumentException(workload + ": unknown argument '" + key + "'");
            }
        }
    }

    private IllegalArgumentException bad(String key, String value, String what) {
        return new IllegalArgumentException(workload + ": " + key + "=" + value + " is not " + what);
    }
}
