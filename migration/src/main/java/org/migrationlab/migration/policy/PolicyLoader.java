package org.migrationlab.migration.policy;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a policy class from what the command line gives: a class name on the class path
 * ({@code com.example.MyPolicy}), or a jar or class folder and a class name ({@code path/to/x.jar:com.example.MyPolicy},
 * {@code build/classes:com.example.MyPolicy}). Checks what can be checked before a migration starts: the class
 * exists, implements the interface, is concrete and has a public no-argument constructor.
 */
public final class PolicyLoader {
    private PolicyLoader() {
    }

    /** The class {@code spec} names, as a {@code type}; an {@link IllegalArgumentException} says what is wrong. */
    public static <T> LoadedPolicy<T> load(String spec, Class<T> type) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no policy class given");
        }
        int colon = spec.lastIndexOf(':');
        String className = colon < 0 ? spec : spec.substring(colon + 1);
        ClassLoader parent = PolicyLoader.class.getClassLoader();
        ClassLoader loader = colon < 0 ? parent : classPathLoader(Path.of(spec.substring(0, colon)), parent);
        return load(className, loader, type);
    }

    /** The class called {@code className} in {@code loader}, as a {@code type}. */
    public static <T> LoadedPolicy<T> load(String className, ClassLoader loader, Class<T> type) {
        Class<?> found;
        try {
            found = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("policy class " + className + " not found"
                    + (e instanceof ClassNotFoundException ? "" : ": " + e));
        }
        if (!type.isAssignableFrom(found)) {
            throw new IllegalArgumentException("policy class " + className + " does not implement "
                    + type.getName());
        }
        if (found.isInterface() || Modifier.isAbstract(found.getModifiers())) {
            throw new IllegalArgumentException("policy class " + className + " is abstract");
        }
        Constructor<? extends T> constructor;
        try {
            constructor = found.asSubclass(type).getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("policy class " + className
                    + " needs a public constructor without arguments");
        }
        if (!Modifier.isPublic(found.getModifiers())) {
            throw new IllegalArgumentException("policy class " + className + " must be public");
        }
        return new LoadedPolicy<>("class " + className, type, constructor);
    }

    private static ClassLoader classPathLoader(Path where, ClassLoader parent) {
        if (!Files.exists(where)) {
            throw new IllegalArgumentException("policy class path " + where + " does not exist");
        }
        try {
            URL url = where.toAbsolutePath().toUri().toURL();
            return new URLClassLoader("policy " + where, new URL[] {url}, parent);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("policy class path " + where + ": " + e.getMessage());
        }
    }
}
