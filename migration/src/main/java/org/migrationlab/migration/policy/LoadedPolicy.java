package org.migrationlab.migration.policy;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;

/**
 * A policy class found by {@link PolicyLoader}: a fresh instance per use, since policies may keep state
 * for one migration (or one machine).
 *
 * @param label       how reports name it: {@code class NAME}
 * @param type        the interface it implements
 * @param constructor its public no-argument constructor
 */
public record LoadedPolicy<T>(String label, Class<T> type, Constructor<? extends T> constructor) {
    public LoadedPolicy {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(constructor, "constructor");
    }

    /** A new instance; a constructor that throws gives a {@link PolicyFailure} naming what it threw. */
    T newInstance() throws PolicyFailure {
        try {
            return type.cast(constructor.newInstance());
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new PolicyFailure("constructor threw " + cause.getClass().getName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new PolicyFailure("could not be created: " + e);
        }
    }
}
