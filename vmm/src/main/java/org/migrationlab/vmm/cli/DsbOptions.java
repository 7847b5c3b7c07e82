package org.migrationlab.vmm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Dynamic self-ballooning on the command line ({@code --dsb}, {@code --dsb-interval}, {@code --dsb-reserve}),
 * shared by {@code run}, {@code migrate} and {@code demo}. They become the kernel's boot arguments
 * {@code dsb=}, {@code dsb-interval=} and {@code dsb-reserve=} (guest-images/WORKLOADS.md), so the
 * destination of a migration learns them with the guest's configuration.
 */
final class DsbOptions {
    /** The guest driver's shortest interval: one progress unit of the virtual clock. */
    static final long MIN_INTERVAL_NANOS = 1_000;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--dsb", paramLabel = "on|off", defaultValue = "off",
            description = "Dynamic self-ballooning: the guest hands its free pages to the host, which never"
                    + " migrates them. Default: ${DEFAULT-VALUE}.")
    String dsb;

    @Option(names = "--dsb-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Guest (virtual) time between the balloon driver's wake-ups, like 1s or 250ms."
                    + " Default: the guest's, 5s.")
    Long intervalNanos;

    @Option(names = "--dsb-reserve", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "Free memory the guest always keeps out of the balloon, like 1M. Default: the guest's, 1M.")
    Long reserveBytes;

    /** The boot arguments these options stand for, in order; checks them first. */
    private List<Map.Entry<String, String>> bootArgs() {
        CommandLine commandLine = spec.commandLine();
        if (!dsb.equals("on") && !dsb.equals("off")) {
            throw new CommandLine.ParameterException(commandLine, "--dsb takes on or off, not '" + dsb + "'");
        }
        boolean on = dsb.equals("on");
        if (!on && (intervalNanos != null || reserveBytes != null)) {
            throw new CommandLine.ParameterException(commandLine, "--dsb-interval and --dsb-reserve need --dsb on");
        }
        List<Map.Entry<String, String>> args = new ArrayList<>();
        if (!on) {
            return args;
        }
        args.add(Map.entry("dsb", "on"));
        if (intervalNanos != null) {
            if (intervalNanos < MIN_INTERVAL_NANOS) {
                throw new CommandLine.ParameterException(commandLine, "--dsb-interval must be at least 1us (one step"
                        + " of the guest's clock)");
            }
            args.add(Map.entry("dsb-interval", guestDuration(intervalNanos)));
        }
        if (reserveBytes != null) {
            args.add(Map.entry("dsb-reserve", Long.toString(reserveBytes)));
        }
        return args;
    }

    /** The guest's duration grammar: digits and the largest unit that keeps the value exact. */
    static String guestDuration(long nanos) {
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        return nanos % 1_000L == 0 ? nanos / 1_000L + "us" : nanos + "ns";
    }

    /** The guest arguments followed by the DSB ones; a DSB key given both ways is a usage error. */
    List<Map.Entry<String, String>> appendTo(List<Map.Entry<String, String>> guestArgs) {
        List<Map.Entry<String, String>> dsbArgs = bootArgs();
        List<Map.Entry<String, String>> all = new ArrayList<>(guestArgs);
        for (Map.Entry<String, String> arg : dsbArgs) {
            if (guestArgs.stream().anyMatch(given -> given.getKey().equals(arg.getKey()))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--arg " + arg.getKey()
                        + " and --" + arg.getKey() + " are both given; use --" + arg.getKey());
            }
            all.add(arg);
        }
        return all;
    }
}
