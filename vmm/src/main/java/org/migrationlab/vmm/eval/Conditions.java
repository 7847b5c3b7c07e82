package org.migrationlab.vmm.eval;

import java.util.Arrays;
import java.util.Locale;

/** How reports state the conditions an evaluation ran under: the link, a guest's boot arguments, a sweep. */
final class Conditions {
    private Conditions() {
    }

    static String link(EvalSettings settings) {
        String rate = settings.bandwidthBits() == 0 ? "unlimited loopback"
                : String.format(Locale.ROOT, "%.0f Mbit/s", settings.bandwidthBits() / 1e6);
        return rate + ", one-way latency " + settings.latencyNanos() / 1000 + " µs";
    }

    /** {@code objects=4096 ops=120000}, as the command line takes them. */
    static String args(java.util.Map<String, String> args) {
        StringBuilder text = new StringBuilder();
        args.forEach((k, v) -> text.append(text.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return text.toString();
    }

    /** {@code 8, 16, 32}: the values a sweep ran at (working sets, guest sizes). */
    static String joined(long[] values) {
        return String.join(", ", Arrays.stream(values).mapToObj(Long::toString).toList());
    }
}
