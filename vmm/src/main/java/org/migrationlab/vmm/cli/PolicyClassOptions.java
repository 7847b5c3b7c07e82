package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.balloon.policy.BalloonConfig;
import org.migrationlab.balloon.policy.BalloonPolicies;
import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.migration.policy.LoadedPolicies;
import org.migrationlab.migration.policy.PolicyLoader;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;
import org.migrationlab.migration.precopy.stop.StopPolicy;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Policies of one's own on the command line ({@code --stop-policy-class}, {@code --prepage-class},
 * {@code --balloon-policy-class}, {@code --policy-timeout}), shared by {@code migrate} and {@code demo}. Each
 * names a public class with a public no-argument constructor, on the class path or after a jar or class folder
 * ({@code x.jar:com.example.MyPolicy}); it replaces the built-in policy, which takes over again if it fails.
 */
final class PolicyClassOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--stop-policy-class", paramLabel = "[JAR:]CLASS",
            description = "Pre-copy's stop policy from this class (implements StopPolicy); --stop-policy names the"
                    + " built-in fallback.")
    String stopClass;

    @Option(names = "--prepage-class", paramLabel = "[JAR:]CLASS",
            description = "Post-copy's prepaging from this class (implements PrepageStrategy); --prepage names the"
                    + " built-in fallback.")
    String prepageClass;

    @Option(names = "--balloon-policy-class", paramLabel = "[JAR:]CLASS",
            description = "The balloon's size from this class (implements BalloonPolicy; with --dsb on); the"
                    + " self-balloon policy is the fallback.")
    String balloonClass;

    @Option(names = "--policy-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "500ms",
            description = "A call into a policy class that takes longer falls back to the built-in policy."
                    + " Default: ${DEFAULT-VALUE}.")
    long timeoutNanos;

    /** The classes loaded (checked now, before any guest runs); notices go to {@code err}. */
    LoadedPolicies loaded(String command, PrintWriter err) {
        long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        if (millis <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--policy-timeout must be at least 1ms");
        }
        LoadedPolicies loaded = LoadedPolicies.NONE.withCallTimeoutMillis(millis)
                .withNotices(line -> {
                    err.println(TerminalText.escapeLines(command + ": policy " + line));
                    err.flush();
                });
        try {
            if (stopClass != null) {
                loaded = loaded.withStop(PolicyLoader.load(stopClass, StopPolicy.class));
            }
            if (prepageClass != null) {
                loaded = loaded.withPrepage(PolicyLoader.load(prepageClass, PrepageStrategy.class));
            }
            if (balloonClass != null) {
                loaded = loaded.withBalloon(PolicyLoader.load(balloonClass, BalloonPolicy.class));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return loaded;
    }

    /** The machines this command boots: the balloon decides by the loaded policy, if there is one. */
    static GuestFactory machines(LoadedPolicies loaded) {
        if (loaded.balloon().isEmpty()) {
            return BalloonedMachines.factory();
        }
        return BalloonedMachines.factory(() -> loaded.balloonPolicy(BalloonPolicies.create(BalloonConfig.defaults())));
    }

    /**
     * The options a source's successor ('vmm migrate --recover') needs: its prepaging class (it serves the
     * remaining pages with the same strategy) and balloon class (a guest it runs again after a rollback keeps
     * its balloon policy). The stop policy only decides pre-copy, long over by then.
     */
    List<String> asRecoveryArguments() {
        List<String> args = new java.util.ArrayList<>();
        if (prepageClass != null) {
            args.addAll(List.of("--prepage-class", prepageClass));
        }
        if (balloonClass != null) {
            args.addAll(List.of("--balloon-policy-class", balloonClass));
        }
        if (!args.isEmpty()) {
            args.addAll(List.of("--policy-timeout", DurationConverter.format(timeoutNanos)));
        }
        return args;
    }

    /** The same options for a child 'vmm migrate'. */
    List<String> asArguments() {
        List<String> args = new java.util.ArrayList<>();
        if (stopClass != null) {
            args.addAll(List.of("--stop-policy-class", stopClass));
        }
        if (prepageClass != null) {
            args.addAll(List.of("--prepage-class", prepageClass));
        }
        if (balloonClass != null) {
            args.addAll(List.of("--balloon-policy-class", balloonClass));
        }
        args.addAll(List.of("--policy-timeout", DurationConverter.format(timeoutNanos)));
        return args;
    }
}
