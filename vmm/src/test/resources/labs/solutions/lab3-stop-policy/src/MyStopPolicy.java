import org.migrationlab.migration.precopy.stop.StopPolicy;

/**
 * Lab 3, a reference solution: QEMU's rule with a margin, and a throttle that climbs fast. The pages still
 * dirty would take dirtyPages x 4096 / bytesPerSecond to send; switch once that fits 40 ms (10 ms under the
 * lab's target, since the next round's rate may be lower). Until then the guest writes faster than the link
 * drains, so each round that does not fit slows its vCPU further.
 */
public final class MyStopPolicy implements StopPolicy {
    private static final double TARGET_SECONDS = 0.040;

    private int throttle;

    @Override
    public Decision afterRound(RoundReport round) {
        double rate = round.bytesPerSecond();
        if (round.dirtyPages() == 0) {
            return new Decision.SwitchOver("nothing dirty", 0);
        }
        if (rate > 0 && !Double.isInfinite(rate)) {
            double seconds = round.dirtyPages() * 4096.0 / rate;
            if (seconds <= TARGET_SECONDS) {
                return new Decision.SwitchOver(String.format("expected downtime %.1f ms fits 40 ms", seconds * 1e3),
                        (long) (seconds * 1e9));
            }
        }
        throttle = throttle == 0 ? 50 : Math.min(99, throttle + 20);
        return new Decision.KeepCopying(throttle);
    }
}
