package org.migrationlab.migration.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.balloon.policy.SelfBalloonPolicy;
import org.migrationlab.migration.pages.SentPages;
import org.migrationlab.migration.pages.SentView;
import org.migrationlab.migration.postcopy.prepage.LinearPush;
import org.migrationlab.migration.postcopy.prepage.PrepageStrategy;
import org.migrationlab.migration.postcopy.prepage.SinglePivotBubbling;
import org.migrationlab.migration.precopy.stop.DowntimeTargetPolicy;
import org.migrationlab.migration.precopy.stop.StopPolicies;
import org.migrationlab.migration.precopy.stop.StopPolicy;
import org.migrationlab.migration.precopy.stop.StopPolicy.Decision;

/**
 * A loaded policy that throws, answers out of range or never returns is dropped for the built-in one, which
 * then answers exactly as it would have alone; the drop is told once, with the reason. A well-behaved one is
 * obeyed. No network: the wrappers are called directly.
 */
class GuardedPoliciesTest {
    /** The time limit a policy that never returns meets. */
    private static final long TIMEOUT_MILLIS = 100;
    /**
     * The time limit of every other policy: one that answers must not meet its limit because a loaded machine
     * ran its first call late (a well-behaved strategy once fell back after 100 ms).
     */
    private static final long PATIENT_MILLIS = 30_000;

    private final List<String> notices = new ArrayList<>();

    private LoadedPolicies loaded() {
        return loaded(PATIENT_MILLIS);
    }

    private LoadedPolicies loaded(long timeoutMillis) {
        return LoadedPolicies.NONE.withCallTimeoutMillis(timeoutMillis).withNotices(notices::add);
    }

    // ---- stop policies

    public static final class AlwaysSwitch implements StopPolicy {
        @Override
        public Decision afterRound(RoundReport round) {
            return new Decision.SwitchOver("student says so", -1);
        }
    }

    public static final class NeverSwitch implements StopPolicy {
        @Override
        public Decision afterRound(RoundReport round) {
            return Decision.KeepCopying.UNTHROTTLED;
        }
    }

    public static final class ThrowsAtRoundTwo implements StopPolicy {
        @Override
        public Decision afterRound(RoundReport round) {
            if (round.round() == 2) {
                throw new IllegalStateException("TODO");
            }
            return Decision.KeepCopying.UNTHROTTLED;
        }
    }

    public static final class NeverReturns implements StopPolicy, PrepageStrategy, BalloonPolicy {
        @Override
        public Decision afterRound(RoundReport round) {
            return hang();
        }

        @Override
        public void onFault(long page) {
        }

        @Override
        public long next(SentView sent) {
            return hang();
        }

        @Override
        public boolean sweepsWhenIdle() {
            return true;
        }

        @Override
        public String name() {
            return "never";
        }

        @Override
        public long targetPages(Observation now) {
            return hang();
        }

        /** Waits for good, without spinning; the guard's interrupt ends it. */
        private static <T> T hang() {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("interrupted");
        }
    }

    private static StopPolicy.RoundReport round(int index, long dirtyPages) {
        return new StopPolicy.RoundReport(index, dirtyPages, 1000, 1000L * (index + 1), 4096, 10_000_000, 1e8, 1e4);
    }

    private StopPolicy guardedStop(Class<? extends StopPolicy> type) {
        LoadedPolicies policies = loaded(type == NeverReturns.class ? TIMEOUT_MILLIS : PATIENT_MILLIS)
                .withStop(PolicyLoader.load(type.getName(), StopPolicy.class));
        return policies.stopPolicy(StopPolicies.create("downtime"), "downtime", 30);
    }

    @Test
    void aWellBehavedStopPolicyDecides() {
        StopPolicy policy = guardedStop(AlwaysSwitch.class);
        assertThat(policy.afterRound(round(0, 1_000_000))).isEqualTo(new Decision.SwitchOver("student says so", -1));
        assertThat(notices).isEmpty();
    }

    @Test
    void aThrowingStopPolicyFallsBackToTheBuiltInAndSaysWhy() {
        StopPolicy policy = guardedStop(ThrowsAtRoundTwo.class);
        StopPolicy alone = DowntimeTargetPolicy.defaults();
        assertThat(policy.afterRound(round(0, 10))).isEqualTo(Decision.KeepCopying.UNTHROTTLED);
        assertThat(policy.afterRound(round(1, 10))).isEqualTo(Decision.KeepCopying.UNTHROTTLED);
        assertThat(policy.afterRound(round(2, 10))).isEqualTo(alone.afterRound(round(2, 10)))
                .isInstanceOf(Decision.SwitchOver.class);
        assertThat(notices).singleElement().asString()
                .contains("class " + ThrowsAtRoundTwo.class.getName(), "afterRound(round 2)", "IllegalStateException: TODO",
                        "fell back to the built-in 'downtime'");
        assertThat(policy.toString()).contains("fell back");
    }

    @Test
    void aStopPolicyThatNeverReturnsFallsBackWithinItsTimeLimit() {
        StopPolicy policy = guardedStop(NeverReturns.class);
        long start = System.nanoTime();
        assertThat(policy.afterRound(round(0, 10))).isInstanceOf(Decision.SwitchOver.class);
        assertThat(policy.afterRound(round(1, 10))).isInstanceOf(Decision.SwitchOver.class);
        assertThat((System.nanoTime() - start) / 1e6).isLessThan(5_000);
        assertThat(notices).singleElement().asString().contains("did not return within 100 ms");
    }

    @Test
    void aStopPolicyThatKeepsCopyingForeverMeetsTheRoundCap() {
        StopPolicy policy = guardedStop(NeverSwitch.class);
        assertThat(policy.afterRound(round(27, 1_000_000))).isEqualTo(Decision.KeepCopying.UNTHROTTLED);
        assertThat(policy.afterRound(round(28, 1_000_000))).isInstanceOf(Decision.SwitchOver.class)
                .asString().contains("round cap", "would keep copying");
    }

    // ---- prepaging

    public static final class OutOfRange implements PrepageStrategy {
        @Override
        public void onFault(long page) {
        }

        @Override
        public long next(SentView sent) {
            return sent.pageCount() + 5;
        }

        @Override
        public boolean sweepsWhenIdle() {
            return true;
        }
    }

    public static final class SameSentPage implements PrepageStrategy {
        @Override
        public void onFault(long page) {
        }

        @Override
        public long next(SentView sent) {
            return 0;
        }

        @Override
        public boolean sweepsWhenIdle() {
            return true;
        }
    }

    public static final class Backwards implements PrepageStrategy {
        @Override
        public void onFault(long page) {
            if (page == 13) {
                throw new UnsupportedOperationException("unlucky");
            }
        }

        @Override
        public long next(SentView sent) {
            return sent.previousUnsent(Long.MAX_VALUE);
        }

        @Override
        public boolean sweepsWhenIdle() {
            return true;
        }
    }

    public static final class MarksPages implements PrepageStrategy {
        @Override
        public void onFault(long page) {
        }

        @Override
        public long next(SentView sent) {
            if (sent instanceof SentPages pages) {
                pages.markSent(1); // would lose a page if it could
            }
            return 3;
        }

        @Override
        public boolean sweepsWhenIdle() {
            return true;
        }
    }

    private PrepageStrategy guardedPrepage(Class<? extends PrepageStrategy> type) {
        LoadedPolicies policies = loaded().withPrepage(PolicyLoader.load(type.getName(), PrepageStrategy.class));
        return policies.prepageStrategy(SinglePivotBubbling.defaults(), "bubble");
    }

    @Test
    void aWellBehavedStrategyChoosesThePages() {
        PrepageStrategy strategy = guardedPrepage(Backwards.class);
        SentPages sent = new SentPages(8);
        assertThat(strategy.next(sent)).isEqualTo(7);
        sent.markSent(7);
        assertThat(strategy.next(sent)).isEqualTo(6);
        assertThat(notices).isEmpty();
    }

    @Test
    void aStrategyGetsOnlyAReadOnlyViewOfTheSentPages() {
        PrepageStrategy strategy = guardedPrepage(MarksPages.class);
        SentPages sent = new SentPages(8);
        assertThat(strategy.next(sent)).isEqualTo(3);
        assertThat(sent.isSent(1)).isFalse();
    }

    @Test
    void anOutOfRangePageFallsBackToTheBuiltInStrategy() {
        PrepageStrategy strategy = guardedPrepage(OutOfRange.class);
        SentPages sent = new SentPages(8);
        strategy.onFault(4);
        sent.markSent(4);
        assertThat(strategy.next(sent)).isEqualTo(5); // the bubble around the fault it heard too
        assertThat(strategy.next(sent)).isEqualTo(3);
        assertThat(notices).singleElement().asString().contains("next() answered page 13, outside the guest's pages 0..7",
                "'bubble'");
    }

    @Test
    void aThrowingOnFaultFallsBack() {
        PrepageStrategy strategy = guardedPrepage(Backwards.class);
        SentPages sent = new SentPages(32);
        strategy.onFault(13);
        sent.markSent(13);
        assertThat(strategy.next(sent)).isEqualTo(14);
        assertThat(notices).singleElement().asString().contains("onFault(13) threw", "unlucky");
    }

    @Test
    void aStrategyStuckOnASentPageFallsBack() {
        PrepageStrategy strategy = guardedPrepage(SameSentPage.class);
        SentPages sent = new SentPages(8);
        sent.markSent(0);
        long page = 0;
        for (int i = 0; i < GuardedPrepage.MAX_SENT_ANSWERS_IN_A_ROW && page == 0; i++) {
            page = strategy.next(sent);
        }
        assertThat(page).isEqualTo(1);
        assertThat(notices).singleElement().asString().contains("already sent");
    }

    @Test
    void aStrategyThatNeverReturnsFallsBack() {
        LoadedPolicies policies = loaded(TIMEOUT_MILLIS).withPrepage(PolicyLoader.load(NeverReturns.class.getName(),
                PrepageStrategy.class));
        PrepageStrategy strategy = policies.prepageStrategy(new LinearPush(), "push");
        SentPages sent = new SentPages(8);
        assertThat(strategy.next(sent)).isZero();
        sent.markSent(0);
        assertThat(strategy.next(sent)).isEqualTo(1);
        assertThat(notices).singleElement().asString().contains("next() did not return within 100 ms", "'push'");
    }

    // ---- balloon

    public static final class TooBig implements BalloonPolicy {
        @Override
        public String name() {
            return "too-big";
        }

        @Override
        public long targetPages(Observation now) {
            return now.totalPages() + 1;
        }
    }

    public static final class Half implements BalloonPolicy {
        @Override
        public String name() {
            return "half";
        }

        @Override
        public long targetPages(Observation now) {
            return now.freePages() / 2;
        }
    }

    private static final BalloonPolicy.Observation NOW = new BalloonPolicy.Observation(0, 1000, 4096, 0, 0,
            Long.MAX_VALUE);

    @Test
    void balloonPoliciesAreObeyedInRangeAndDroppedOutOfIt() {
        BalloonPolicy half = loaded().withBalloon(PolicyLoader.load(Half.class.getName(), BalloonPolicy.class))
                .balloonPolicy(SelfBalloonPolicy.paper());
        assertThat(half.targetPages(NOW)).isEqualTo(500);
        BalloonPolicy tooBig = loaded().withBalloon(PolicyLoader.load(TooBig.class.getName(), BalloonPolicy.class))
                .balloonPolicy(SelfBalloonPolicy.paper());
        assertThat(tooBig.targetPages(NOW)).isEqualTo(SelfBalloonPolicy.paper().targetPages(NOW));
        BalloonPolicy never = loaded(TIMEOUT_MILLIS).withBalloon(PolicyLoader.load(NeverReturns.class.getName(), BalloonPolicy.class))
                .balloonPolicy(SelfBalloonPolicy.paper());
        assertThat(never.targetPages(NOW)).isEqualTo(SelfBalloonPolicy.paper().targetPages(NOW));
        assertThat(notices).hasSize(2);
        assertThat(notices.get(0)).contains("targetPages() answered 4097 pages, outside 0..4096", "'self-balloon'");
        assertThat(notices.get(1)).contains("did not return");
    }

    // ---- loading

    @Test
    void loadingSaysWhatIsWrongWithAClass() {
        assertThatThrownBy(() -> PolicyLoader.load("com.example.Missing", StopPolicy.class))
                .hasMessageContaining("com.example.Missing not found");
        assertThatThrownBy(() -> PolicyLoader.load(Half.class.getName(), StopPolicy.class))
                .hasMessageContaining("does not implement " + StopPolicy.class.getName());
        assertThatThrownBy(() -> PolicyLoader.load("no/such/dir:com.example.X", StopPolicy.class))
                .hasMessageContaining("does not exist");
    }
}
