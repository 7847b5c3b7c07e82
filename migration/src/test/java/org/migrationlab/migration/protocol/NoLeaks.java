package org.migrationlab.migration.protocol;

import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Fails every JUnit test ({@code @ExtendWith(NoLeaks.class)}) and jqwik property
 * ({@code @AddLifecycleHook(NoLeaks.class)}) that leaves a Netty buffer unreleased, and fails outright
 * unless {@link RecordingLeakDetector} tracks every buffer (the simple or paranoid level with a sampling
 * interval of 1; the build sets it, see lab.leak.flags).
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback, AroundPropertyHook {
    private static final String DETECTOR_PROPERTY = "io.netty.customResourceLeakDetector";
    private static final String LEVEL_PROPERTY = "io.netty.leakDetection.level";
    private static final String INTERVAL_PROPERTY = "io.netty.leakDetection.samplingInterval";
    /** Fresh buffers that must all be tracked: at Netty's default interval (128) all 64 are tracked by chance
     * with a probability of 128^-64. */
    private static final int PROBES = 64;
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeaks.class);
    private static final ThreadLocal<Boolean> IN_PROPERTY = ThreadLocal.withInitial(() -> false);

    static {
        // From an IDE: install the detector if Netty has not made its buffers' detector yet.
        if (System.getProperty(DETECTOR_PROPERTY) == null) {
            System.setProperty(DETECTOR_PROPERTY, RecordingLeakDetector.class.getName());
        }
        if (System.getProperty(LEVEL_PROPERTY) == null) {
            System.setProperty(LEVEL_PROPERTY, "simple");
            System.setProperty(INTERVAL_PROPERTY, "1");
        }
    }

    /** Throws unless {@link RecordingLeakDetector} tracks every fresh buffer. */
    static void requireActive() {
        long mark = RecordingLeakDetector.mark();
        for (int i = 0; i < PROBES; i++) {
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
        long tracked = RecordingLeakDetector.mark() - mark;
        if (!RecordingLeakDetector.installed() || tracked < PROBES) {
            throw new IllegalStateException("leak detection does not track every buffer (" + tracked + " of "
                    + PROBES + " probes, level " + ResourceLeakDetector.getLevel() + "): run with -D" + LEVEL_PROPERTY
                    + "=simple -D" + INTERVAL_PROPERTY + "=1 -D" + DETECTOR_PROPERTY + "="
                    + RecordingLeakDetector.class.getName());
        }
    }

    /** Throws an {@link AssertionError} listing the resources tracked since {@code mark} and not released. */
    static void assertNoLeaksSince(long mark, String scope) {
        List<String> leaks = RecordingLeakDetector.leaksSince(mark);
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) in " + scope + ":\n"
                    + String.join("\n", leaks.subList(0, Math.min(5, leaks.size()))));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        requireActive();
        context.getStore(NAMESPACE).put("mark", RecordingLeakDetector.mark());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long mark = context.getStore(NAMESPACE).get("mark", Long.class);
        assertNoLeaksSince(mark, context.getDisplayName());
    }

    /** Whether the current thread runs a property under this hook (lets tests prove the hook is wired). */
    static boolean checkingCurrentProperty() {
        return IN_PROPERTY.get();
    }

    /** Class-level registration must reach the properties of the class (jqwik's default is no descendants). */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        requireActive();
        long mark = RecordingLeakDetector.mark();
        PropertyExecutionResult result;
        IN_PROPERTY.set(true);
        try {
            result = property.execute();
        } finally {
            IN_PROPERTY.remove();
        }
        try {
            assertNoLeaksSince(mark, context.label());
        } catch (AssertionError leak) {
            // A property that already failed keeps its own failure (it may have skipped its releases).
            return result.status() == PropertyExecutionResult.Status.SUCCESSFUL ? result.mapToFailed(leak) : result;
        }
        return result;
    }
}
