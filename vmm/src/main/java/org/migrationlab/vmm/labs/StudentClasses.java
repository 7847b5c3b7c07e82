package org.migrationlab.vmm.labs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.migrationlab.migration.policy.LoadedPolicy;
import org.migrationlab.migration.policy.PolicyLoader;

/** The first two checks of a policy lab: the student's sources compile, and the class the lab names loads. */
final class StudentClasses {
    /** Compiler messages shown at most, so that one typo does not bury the report. */
    private static final int MAX_MESSAGE_LINES = 20;

    private StudentClasses() {
    }

    /** The class, or null after adding the failed check that says why. */
    static <T> LoadedPolicy<T> load(Path folder, String className, Class<T> type, List<Check> checks) {
        Path sources = folder.resolve("src");
        if (!Files.isDirectory(sources)) {
            checks.add(Check.fail("compiles", "no folder " + sources + ": give the lab's folder (it holds README.md"
                    + " and src/)"));
            return null;
        }
        switch (StudentCode.compile(sources)) {
            case StudentCode.Compiled.Failed failed -> {
                List<String> lines = failed.messages().lines().toList();
                String shown = String.join("\n      ", lines.subList(0, Math.min(lines.size(), MAX_MESSAGE_LINES)));
                checks.add(Check.fail("compiles", "javac says:\n      " + shown));
                return null;
            }
            case StudentCode.Compiled.Classes classes -> {
                checks.add(Check.pass("compiles", "src/ compiled against the policy interfaces"));
                try {
                    LoadedPolicy<T> loaded = PolicyLoader.load(className, classes.loader(), type);
                    checks.add(Check.pass("loads", className + " implements " + type.getSimpleName()));
                    return loaded;
                } catch (IllegalArgumentException e) {
                    checks.add(Check.fail("loads", e.getMessage()));
                    return null;
                }
            }
        }
    }
}
