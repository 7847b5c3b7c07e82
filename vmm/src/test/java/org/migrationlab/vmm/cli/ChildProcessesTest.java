package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A child JVM (the demo's daemon and source) starts with this JVM's module flags: a JDK AOT cache built with
 * them refuses a JVM started without them, and the journal's store needs them.
 */
class ChildProcessesTest {
    @Test
    void childrenGetThisJvmsModuleFlags() {
        List<String> moduleFlags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(f -> f.startsWith("--add-opens=") || f.startsWith("--add-exports=")
                        || f.startsWith("--sun-misc-unsafe-memory-access="))
                .toList();
        assertThat(moduleFlags).as("the test JVM runs with the lab's module flags").isNotEmpty();
        assertThat(ChildProcesses.javaCommand()).containsAll(moduleFlags);
    }

    @Test
    void childrenGetTheFlagsNamedForThemAfterThisJvmsOwn() {
        String before = System.getProperty(ChildProcesses.CHILD_FLAGS_PROPERTY);
        try {
            System.setProperty(ChildProcesses.CHILD_FLAGS_PROPERTY, " -XX:TieredStopAtLevel=1, ,-XX:+UseSerialGC");
            List<String> command = ChildProcesses.javaCommand();
            assertThat(ChildProcesses.childFlags()).containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
            int classPath = command.indexOf("-cp");
            assertThat(command.subList(classPath - 2, classPath))
                    .containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

            System.setProperty(ChildProcesses.CHILD_FLAGS_PROPERTY, " ");
            assertThat(ChildProcesses.childFlags()).isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty(ChildProcesses.CHILD_FLAGS_PROPERTY);
            } else {
                System.setProperty(ChildProcesses.CHILD_FLAGS_PROPERTY, before);
            }
        }
    }
}
