package org.migrationlab.vmm.cli;

import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.transport.TransportConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --faults}, {@code --peer-timeout} and {@code --recover-timeout} (docs/FAULTS.md), shared by
 * {@code migrate} and {@code demo}; {@code daemon} has the two timeouts alone. A plan is parsed once, when the command line is read;
 * a kill fault is announced by the source and carried out by the demo's harness.
 */
final class FaultOptions {
    @Option(names = "--faults", paramLabel = "PLAN", converter = PlanConverter.class,
            description = "Inject faults into the migration's connections, at migration events, e.g."
                    + " 'seed=7; close bulk at precopy 30%%; silence urgent at postcopy 10%% for 2s;"
                    + " delay bulk 1ms-20ms at precopy round 1; corrupt 1 page at precopy 20%%', 'seed=7 random 3'"
                    + " or 'kill destination at postcopy 40%%' (docs/FAULTS.md; 'vmm demo' carries kills out, 'vmm"
                    + " migrate' announces them).")
    FaultPlan faults;

    @Option(names = "--peer-timeout", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
            description = "End a connection on which nothing (not even a heartbeat) arrived for this long."
                    + " Default: ${DEFAULT-VALUE}.")
    long peerTimeoutNanos;

    @Option(names = "--recover-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "After the switch-over, when the link breaks (a connection closed, or silent for the peer"
                    + " timeout), keep reconnecting for this long before giving the guest up. Default: ${DEFAULT-VALUE}.")
    long recoverTimeoutNanos;

    /** The plan, checked: null without one. */
    FaultPlan plan(CommandLine commandLine) {
        return faults;
    }

    static long peerTimeoutMillis(CommandLine commandLine, long nanos) {
        long millis = nanos / 1_000_000;
        if (millis < TransportConfig.MIN_PEER_TIMEOUT_MILLIS) {
            throw new CommandLine.ParameterException(commandLine, "--peer-timeout must be at least "
                    + TransportConfig.MIN_PEER_TIMEOUT_MILLIS + "ms");
        }
        return millis;
    }

    static long recoverTimeoutMillis(CommandLine commandLine, long nanos) {
        long millis = nanos / 1_000_000;
        if (millis < 1) {
            throw new CommandLine.ParameterException(commandLine, "--recover-timeout must be at least 1ms");
        }
        return millis;
    }

    /** Parses a fault plan for picocli. */
    static final class PlanConverter implements CommandLine.ITypeConverter<FaultPlan> {
        @Override
        public FaultPlan convert(String value) {
            try {
                return FaultPlan.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
