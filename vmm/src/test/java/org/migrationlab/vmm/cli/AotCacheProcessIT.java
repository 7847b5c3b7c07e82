package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vmm}'s JDK AOT cache, in fresh processes: created once by the first command that runs guests,
 * used by the next ones, replaced when the jars change, not used with {@code VMM_AOT=off}, and a training
 * run that fails costs one line, once, and never the command. Each case runs the real launcher on a copy of
 * this build (its jars, no sources, a build stamp), so that the launcher never rebuilds anything and the
 * cache lands in a directory of the test's own; the JVM's own log of the cache it opened says whether a
 * command used it.
 */
class AotCacheProcessIT {
    private static final long LIMIT_SECONDS = 300;
    private static final String BUILDING = "vmm: building the JDK AOT cache";
    private static final String OPENED = "Opened AOT cache ";
    private static final List<String> RUN = List.of("run", "--workload", "wss", "--memory", "8M", "--arg", "wss=64K",
            "--quiet");

    @TempDir
    Path root;

    private Path target;
    private Path cacheDir;

    /** Invocation of the launcher copy: exit code and output. */
    private record Launch(int exitCode, String out, String err) {
    }

    @BeforeEach
    void copyTheLauncherAndThisBuild() throws IOException {
        Path module = Path.of("").toAbsolutePath();
        Path builtTarget = module.resolve("target");
        copyTree(module.resolveSibling("bin"), root.resolve("bin"));
        target = Files.createDirectories(root.resolve("vmm/target"));
        try (Stream<Path> jars = Files.list(builtTarget)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().matches("vmm-.*\\.jar")
                    && !p.getFileName().toString().matches(".*-(tests|sources)\\.jar")).toList()) {
                Files.copy(jar, target.resolve(jar.getFileName()));
            }
        }
        copyTree(builtTarget.resolve("lib"), target.resolve("lib"));
        Files.copy(builtTarget.resolve("jvm.flags"), target.resolve("jvm.flags"));
        for (String sources : List.of("emulator", "guest-images", "balloon-driver", "migration")) {
            Files.createDirectories(root.resolve(sources));
        }
        Files.createFile(target.resolve("vmm-build.stamp"));
        cacheDir = target.resolve("aot");
    }

    @Test
    void cacheIsBuiltOnceReusedAndRebuiltWhenTheJarsChange() throws Exception {
        Launch first = vmm(Map.of());
        assertThat(first.exitCode()).as("first run; stderr: %s", first.err()).isZero();
        assertThat(first.err()).contains(BUILDING);
        Path cache = onlyCache();
        assertThat(first.err()).as("the first run used the cache it built").contains(OPENED + cache);
        BasicFileAttributes built = Files.readAttributes(cache, BasicFileAttributes.class);

        Launch second = vmm(Map.of());
        assertThat(second.exitCode()).as("second run; stderr: %s", second.err()).isZero();
        assertThat(second.err()).doesNotContain(BUILDING).contains(OPENED + cache);
        assertThat(onlyCache()).isEqualTo(cache);
        BasicFileAttributes reused = Files.readAttributes(cache, BasicFileAttributes.class);
        assertThat(reused.fileKey()).isEqualTo(built.fileKey());
        assertThat(reused.lastModifiedTime()).isEqualTo(built.lastModifiedTime());

        // A rebuild writes the jars anew.
        Path jar;
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            jar = jars.filter(p -> p.getFileName().toString().startsWith("migration-")).findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        Launch rebuilt = vmm(Map.of());
        assertThat(rebuilt.exitCode()).as("after the jars changed; stderr: %s", rebuilt.err()).isZero();
        assertThat(rebuilt.err()).contains(BUILDING);
        Path newCache = onlyCache();
        assertThat(newCache).as("a cache of the new jars, the old one deleted").isNotEqualTo(cache);
        assertThat(rebuilt.err()).contains(OPENED + newCache);
        assertThat(rebuilt.out()).contains("halted").contains("status");
    }

    @Test
    void vmmAotOffRunsWithoutACache() throws Exception {
        Launch off = vmm(Map.of("VMM_AOT", "off"));

        assertThat(off.exitCode()).as("stderr: %s", off.err()).isZero();
        assertThat(off.err()).doesNotContain(BUILDING).doesNotContain(OPENED);
        assertThat(cacheDir).doesNotExist();
        assertThat(off.out()).contains("halted");
    }

    @Test
    void aFailedTrainingRunCostsOneLineOnceAndNeverTheCommand() throws Exception {
        // The JVM refuses to write a cache when AOT is switched off: the training run fails.
        Map<String, String> noAot = Map.of("JDK_JAVA_OPTIONS", "-XX:AOTMode=off");
        Launch first = vmm(noAot);
        assertThat(first.exitCode()).as("stderr: %s", first.err()).isZero();
        assertThat(first.err().lines().filter(l -> l.startsWith("vmm: could not build the JDK AOT cache")))
                .singleElement().asString().contains("running without it");
        assertThat(first.out()).contains("halted");

        Launch second = vmm(noAot);
        assertThat(second.exitCode()).as("stderr: %s", second.err()).isZero();
        assertThat(second.err()).doesNotContain(BUILDING).doesNotContain("could not build");
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).singleElement().asString()
                    .matches("vmm-[0-9a-f]{16}\\.failed");
        }
    }

    private Path onlyCache() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            List<Path> all = files.toList();
            assertThat(all).as("files in %s", cacheDir).singleElement().asString().matches(".*/vmm-[0-9a-f]{16}\\.aot");
            return all.getFirst();
        }
    }

    /** {@code bin/vmm run ...} of the copy, the JVM logging the AOT cache it opens on its standard error. */
    private Launch vmm(Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/vmm").toString()));
        command.addAll(RUN);
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        String javaHome = Path.of(System.getProperty("java.home")).toString();
        builder.environment().put("JAVA_HOME", javaHome);
        builder.environment().remove("VMM_AOT");
        String options = env.getOrDefault("JDK_JAVA_OPTIONS", "");
        builder.environment().put("JDK_JAVA_OPTIONS", (options + " -Xlog:aot=info:stderr").strip());
        env.forEach((k, v) -> {
            if (!k.equals("JDK_JAVA_OPTIONS")) {
                builder.environment().put(k, v);
            }
        });
        Process process = builder.start();
        process.getOutputStream().close();
        boolean exited = process.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(exited).as("bin/vmm ended within %d s; stderr: %s", LIMIT_SECONDS, Files.readString(err)).isTrue();
        return new Launch(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
