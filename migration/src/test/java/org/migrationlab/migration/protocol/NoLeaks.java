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
 * if paranoid leak detection with {@link RecordingLeakDetector} is not active.
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback, AroundPropertyHook {
    private static final String DETECTOR_PROPERTY = "io.netty.customResourceLeakDetector";
    private static final String LEVEL_PROPERTY = "io.netty.leakDetection.level";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeaks.class);
    private static final ThreadLocal<Boolean> IN_PROPERTY = ThreadLocal.withInitial(() -> false);

    static {
        // From an IDE: install the detector if Netty has not made its buffers' detector yet.
        if (System.getProperty(DETECTOR_PROPERTY) == null) {
            System.setProperty(DETECTOR_PROPERTY, RecordingLeakDetector.class.getName());
        }
        if (System.getProperty(LEVEL_PROPERTY) == null) {
            System.setProperty(LEVEL_PROPERTY, "paranoid");
        }
    }

    /** Throws unless a fresh buffer is tracked by {@link RecordingLeakDetector} at the paranoid level. */
    static void requireActive() {
        long mark = RecordingLeakDetector.mark();
        ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
        probe.release();
        if (!RecordingLeakDetector.installed() || RecordingLeakDetector.mark() == mark
                || ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("leak detection is not active: run with -D" + LEVEL_PROPERTY
                    + "=paranoid -D" + DETECTOR_PROPERTY + "=" + RecordingLeakDetector.class.getName()
                    + " (level now " + ResourceLeakDetector.getLevel() + ")");
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
