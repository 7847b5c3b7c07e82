package org.migrationlab.migration.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;

/**
 * Netty's leak detector, made deterministic for tests: every tracked resource (with a sampling
 * interval of 1, every buffer) stays in a live set until it is released, so a test can ask which
 * resources it allocated and never released without waiting for the garbage collector. Netty's own
 * reports (leaked objects found after GC) are recorded too.
 *
 * <p>Installed by {@code -Dio.netty.customResourceLeakDetector=<this class>} (the surefire
 * configuration), or by {@link NoLeaks} before Netty's first buffer when run from an IDE.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Set<LiveTracker<?>> LIVE = ConcurrentHashMap.newKeySet();
    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static volatile boolean installed;

    /** The constructor Netty's factory calls. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        installed = true;
    }

    /** The constructor Netty's factory looks up first (its maxActive is obsolete). */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    static boolean installed() {
        return installed;
    }

    /** A point in time: {@link #leaksSince} reports resources tracked after it. */
    static long mark() {
        return SEQUENCE.get();
    }

    /**
     * Resources tracked after {@code mark} and still unreleased, plus every leak Netty reported; both
     * are forgotten once returned, so each leak fails one check.
     */
    static List<String> leaksSince(long mark) {
        List<LiveTracker<?>> live = new ArrayList<>();
        for (LiveTracker<?> tracker : LIVE) {
            if (tracker.sequence > mark) {
                live.add(tracker);
            }
        }
        live.sort(Comparator.comparingLong(t -> t.sequence));
        List<String> leaks = new ArrayList<>();
        for (LiveTracker<?> tracker : live) {
            if (LIVE.remove(tracker)) {
                leaks.add("unreleased " + tracker.resourceType + " #" + tracker.sequence + ": " + tracker.delegate);
            }
        }
        for (String report; (report = REPORTS.poll()) != null; ) {
            leaks.add(report);
        }
        return leaks;
    }

    @Override
    public ResourceLeakTracker<T> track(T obj) {
        return live(super.track(obj), obj);
    }

    @Override
    public ResourceLeakTracker<T> trackForcibly(T obj) {
        return live(super.trackForcibly(obj), obj);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        REPORTS.add("LEAK reported by Netty: " + resourceType + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        REPORTS.add("LEAK reported by Netty: " + resourceType);
        super.reportUntracedLeak(resourceType);
    }

    private static <T> ResourceLeakTracker<T> live(ResourceLeakTracker<T> tracker, T obj) {
        if (tracker == null) {
            return null; // not sampled (only with a sampling interval above 1)
        }
        LiveTracker<T> live = new LiveTracker<>(tracker, obj.getClass().getSimpleName(), SEQUENCE.incrementAndGet());
        LIVE.add(live);
        return live;
    }

    private static final class LiveTracker<T> implements ResourceLeakTracker<T> {
        final ResourceLeakTracker<T> delegate;
        final String resourceType;
        final long sequence;

        LiveTracker(ResourceLeakTracker<T> delegate, String resourceType, long sequence) {
            this.delegate = delegate;
            this.resourceType = resourceType;
            this.sequence = sequence;
        }

        @Override
        public void record() {
            delegate.record();
        }

        @Override
        public void record(Object hint) {
            delegate.record(hint);
        }

        @Override
        public boolean close(T trackedObject) {
            LIVE.remove(this);
            return delegate.close(trackedObject);
        }
    }
}
