import org.migrationlab.migration.precopy.stop.StopPolicy;

/**
 * Lab 3: your stop policy. After every pre-copy round the engine tells you what the round did and asks:
 * copy another round (and how hard to throttle the guest), or switch over now? See the lab's README.md.
 */
public final class MyStopPolicy implements StopPolicy {

    @Override
    public Decision afterRound(RoundReport round) {
        // TODO: switch over only once the pages still dirty fit the downtime target.
        return new Decision.SwitchOver("TODO: the starter switches over after the first round", -1);
    }
}
