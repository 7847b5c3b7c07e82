package org.migrationlab.vmm.labs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.migration.precopy.stop.StopPolicy;

/**
 * A student's Java sources, compiled here against the policy interfaces, so that a lab needs no build of
 * its own: every {@code .java} file under the folder's {@code src/} goes to one temporary class folder, whose
 * loader sees this program's classes as its parent.
 */
final class StudentCode {
    /** Classes whose jars (or class folders) the student's code compiles against. */
    private static final List<Class<?>> API = List.of(StopPolicy.class, BalloonPolicy.class, GuestMemory.class);

    /** What compiling gave: the class folder and a loader over it, or the compiler's messages. */
    sealed interface Compiled {
        record Classes(Path folder, ClassLoader loader) implements Compiled {
        }

        record Failed(String messages) implements Compiled {
        }
    }

    private StudentCode() {
    }

    static Compiled compile(Path sources) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            return new Compiled.Failed("cannot read " + sources + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            return new Compiled.Failed("no .java file under " + sources);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            return new Compiled.Failed("this Java runtime has no compiler: run vmm with a JDK");
        }
        Path classes;
        try {
            classes = Files.createTempDirectory("lab-classes");
            classes.toFile().deleteOnExit();
        } catch (IOException e) {
            return new Compiled.Failed("cannot create a class folder: " + e.getMessage());
        }
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classPath(), "-proc:none",
                "-Xlint:none", "-nowarn", "-encoding", "UTF-8"));
        files.forEach(f -> args.add(f.toString()));
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        if (javac.run(null, messages, messages, args.toArray(String[]::new)) != 0) {
            return new Compiled.Failed(messages.toString().strip());
        }
        try {
            URL url = classes.toUri().toURL();
            return new Compiled.Classes(classes, new URLClassLoader("student " + sources, new URL[] {url},
                    StudentCode.class.getClassLoader()));
        } catch (MalformedURLException e) {
            return new Compiled.Failed(e.getMessage());
        }
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> type : API) {
            try {
                entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
