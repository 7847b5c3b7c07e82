package org.migrationlab.vmm.eval;

import java.util.Locale;

/** How reports state the link an evaluation ran on. */
final class Conditions {
    private Conditions() {
    }

    static String link(EvalSettings settings) {
        String rate = settings.bandwidthBits() == 0 ? "unlimited loopback"
                : String.format(Locale.ROOT, "%.0f Mbit/s", settings.bandwidthBits() / 1e6);
        return rate + ", one-way latency " + settings.latencyNanos() / 1000 + " µs";
    }
}
