package org.migrationlab.emulator.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Gives every jqwik property the seed of {@code -Dmigrationlab.seed=N} when it is set (as {@link TestSeed}
 * does for plain tests), and prints each property's seed after it ran, failed or not. Registered for all
 * properties through {@code META-INF/services}, so that this module's tests and those of every module with
 * its test classes on the class path replay the same way.
 */
public final class PropertySeeds implements AroundPropertyHook {
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return true;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String fixed = System.getProperty(TestSeed.PROPERTY);
        if (fixed != null) {
            context.attributes().setSeed(fixed);
        }
        PropertyExecutionResult result = property.execute();
        result.seed().ifPresent(seed -> System.out.println(context.extendedLabel() + ": seed " + seed
                + " (replay: -D" + TestSeed.PROPERTY + "=" + seed + ")"));
        return result;
    }
}
