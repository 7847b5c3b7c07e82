package org.migrationlab.migration.journal.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.JournalEntry;

/**
 * Crash consistency: a writer process is killed with SIGKILL in the middle of its appends, again and
 * again, and after each kill the journal opens with recovery and holds every acknowledged entry, each
 * exactly as written, with no hole in any migration's sequence. The kill points come from a printed
 * seed; {@code -Djournal.crash.seed=N} replays a run. Eight kills in the suite (each writer is a fresh JVM
 * that spends seconds opening the map); {@code -Djournal.crash.kills=N} runs more.
 */
class JournalCrashIT {
    private static final int KILLS = Integer.getInteger("journal.crash.kills", 8);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEntrySurvivesSigkillAndNoneIsTorn() throws Exception {
        long seed = Long.getLong("journal.crash.seed", System.nanoTime());
        System.out.println("JournalCrashIT seed " + seed + " (replay: -Djournal.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path file = dir.resolve("source.journal");
        List<Long> childOpenMillis = new ArrayList<>();
        List<Long> reopenMillis = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            int acksBeforeKill = 1 + random.nextInt(300);
            Process child = startChild(file);
            String lastAck = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String opened = out.readLine();
                assertThat(opened).as("the child's first line").startsWith("opened ");
                childOpenMillis.add(Long.parseLong(opened.substring("opened ".length())));
                for (int acks = 0; acks < acksBeforeKill; acks++) {
                    String line = out.readLine();
                    assertThat(line).as("ack %d of kill %d", acks, kill).startsWith("ack ");
                    lastAck = line;
                }
                // SIGKILL (no shutdown hook, no close), through the handle: Process.destroyForcibly would also
                // close our end of its output, and the acks still in the pipe count.
                child.toHandle().destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                // Acks printed after the one that decided the kill were acknowledged too.
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("ack ")) {
                        lastAck = line;
                    }
                }
            }
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
            long started = System.nanoTime();
            try (ChronicleJournalStore store = ChronicleJournalStore.openForWriting(file)) {
                reopenMillis.add((System.nanoTime() - started) / 1_000_000);
                checkConsistent(store.entries(), lastAck, "after kill " + kill + " (seed " + seed + ")");
            }
        }
        System.out.println("JournalCrashIT: reopen after SIGKILL, ms: in this JVM " + summary(reopenMillis)
                + "; in a fresh JVM (the writer's own open) " + summary(childOpenMillis));
    }

    private static void checkConsistent(List<JournalEntry> entries, String lastAck, String when) {
        Map<UUID, List<JournalEntry>> byMigration = entries.stream()
                .collect(Collectors.groupingBy(JournalEntry::migrationId));
        for (List<JournalEntry> chain : byMigration.values()) {
            for (int i = 0; i < chain.size(); i++) {
                JournalEntry e = chain.get(i);
                assertThat(e.sequence()).as("no hole %s", when).isEqualTo(i);
                assertThat(e.phase()).as("phase %s", when).isEqualTo(JournalWriterChild.phase(i));
                assertThat(e.owner()).as("owner %s", when).isEqualTo(JournalWriterChild.owner(i));
                Journal.Details expected = JournalWriterChild.expected(i);
                assertThat(new Journal.Details(e.guest(), e.peer(), e.faultPlanSeed())).as("content %s", when)
                        .isEqualTo(expected);
            }
        }
        String[] ack = lastAck.split(" ");
        UUID id = UUID.fromString(ack[1]);
        int sequence = Integer.parseInt(ack[2]);
        assertThat(byMigration.get(id)).as("the last acknowledged entry %s", when).hasSizeGreaterThan(sequence);
    }

    private static Process startChild(Path file) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).toList());
        // The writer lives a few seconds, most of them opening the map (which compiles its generated classes
        // with javac): the client compiler alone gets it there in about 40 % less time.
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JournalWriterChild.class.getName(),
                file.toString()));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String summary(List<Long> millis) {
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        return "median " + sorted[sorted.length / 2] + ", max " + sorted[sorted.length - 1] + " "
                + Arrays.toString(millis.toArray());
    }
}
