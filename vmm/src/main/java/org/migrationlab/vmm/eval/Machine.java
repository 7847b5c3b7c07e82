package org.migrationlab.vmm.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine and software an evaluation ran on, stated in its report.
 *
 * @param cores    processors available to this JVM
 * @param cpuModel the CPU's model name, or "unknown"
 * @param os       operating system, version and architecture
 * @param java     the JVM's vendor and version
 * @param emulator the CPU emulator and its version
 */
public record Machine(int cores, String cpuModel, String os, String java, String emulator) {
    public static Machine here() {
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                org.migrationlab.emulator.machine.Machines.emulator());
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
