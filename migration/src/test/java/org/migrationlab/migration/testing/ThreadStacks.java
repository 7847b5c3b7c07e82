package org.migrationlab.migration.testing;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Where this JVM's threads stand, for a test that fails on a hang or a thread left behind. */
public final class ThreadStacks {
    private ThreadStacks() {
    }

    /** Each live thread that {@code which} picks: its name, its state and its top {@code frames} frames. */
    public static List<String> of(Predicate<Thread> which, int frames) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> which.test(thread.getKey()))
                .map(thread -> thread.getKey().getName() + " " + thread.getKey().getState()
                        + Arrays.stream(thread.getValue()).limit(frames).map(frame -> "\n    at " + frame)
                        .collect(Collectors.joining()))
                .toList();
    }
}
