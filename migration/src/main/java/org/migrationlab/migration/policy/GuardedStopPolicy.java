package org.migrationlab.migration.policy;

import java.util.Objects;

import org.migrationlab.migration.precopy.stop.StopPolicy;

/**
 * A loaded stop policy behind a guard: an exception, a null answer or a call over the time limit drops it
 * for the built-in policy, which has seen every round all along (so a stateful one such as auto-converge
 * takes over where it would have been). Whatever the loaded policy says, the round cap holds: a policy that
 * keeps copying forever would never end the migration.
 */
public final class GuardedStopPolicy implements StopPolicy {
    private final StopPolicy loaded;
    private final StopPolicy builtIn;
    private final int maxRounds;
    private final Guard guard;

    GuardedStopPolicy(StopPolicy loaded, StopPolicy builtIn, int maxRounds, Guard guard) {
        this.loaded = loaded;
        this.builtIn = Objects.requireNonNull(builtIn, "builtIn");
        this.maxRounds = maxRounds;
        this.guard = Objects.requireNonNull(guard, "guard");
        if (loaded == null && !guard.fellBack()) {
            throw new IllegalArgumentException("no loaded policy and no fallback reason");
        }
    }

    @Override
    public Decision afterRound(RoundReport round) {
        Decision fallback = builtIn.afterRound(round);
        Decision answer;
        try {
            answer = guard.call("afterRound(round " + round.round() + ")", () -> loaded.afterRound(round));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the session is being stopped: let it see that
            return fallback;
        }
        if (answer == null) {
            return fallback;
        }
        // Counted like the built-in policies' cap: the stop-and-copy is the last of maxRounds rounds.
        boolean capReached = round.round() + 1L >= maxRounds - 1L;
        if (answer instanceof Decision.KeepCopying && capReached) {
            return new Decision.SwitchOver("round cap: " + (round.round() + 1) + " live rounds done, stop-and-copy is"
                    + " round " + (round.round() + 2) + " of at most " + maxRounds + " (" + guard.describe()
                    + " would keep copying)", -1);
        }
        return answer;
    }

    /** The policy's label, with the fallback and its reason once it fell back. */
    public String describe() {
        return guard.describe();
    }

    /** Whether the built-in policy took over. */
    public boolean fellBack() {
        return guard.fellBack();
    }

    @Override
    public String toString() {
        return describe();
    }
}
