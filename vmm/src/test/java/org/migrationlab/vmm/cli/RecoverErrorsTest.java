package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.JournalFiles;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.journal.chronicle.ChronicleJournalStore;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.restart.SourceCheckpoint;
import org.migrationlab.migration.restart.SourceStateDir;
import org.migrationlab.vmm.testing.CapturedRun;

/** {@code vmm migrate --recover DIR} refuses, with one clear line and exit code 2, a DIR it cannot take over. */
class RecoverErrorsTest {
    @TempDir
    Path dir;

    private CapturedRun recover(Path stateDir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "recover-errors-secret-0123456789\n");
        return CapturedRun.vmm("migrate", "--recover", stateDir.toString(), "--secret-file", secret.toString(),
                "--quiet", "--no-warm-up");
    }

    @Test
    void anEmptyDirectoryHasNoMigrationToRecover() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"));
        CapturedRun run = recover(state);
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err()).contains("no migration to recover").doesNotContain("Exception", "\tat ");
    }

    @Test
    void aCompletedMigrationIsNotRecoveredAgain() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"));
        UUID id = UUID.randomUUID();
        new SourceStateDir(state).save(new SourceCheckpoint(id, "127.0.0.1:1", MigrationMode.POSTCOPY,
                MachineConfig.of(16L << 20, new BootArgs("wss", Map.of(), 1)), "built-in", new byte[8],
                new byte[512], 0));
        try (ChronicleJournalStore store = ChronicleJournalStore.openForWriting(JournalFiles.of(state, Owner.SOURCE))) {
            Journal journal = new Journal(store, Clock.systemUTC());
            for (Phase phase : new Phase[] {Phase.SOURCE_OWNS, Phase.SWITCH_OVER_SENT, Phase.DESTINATION_OWNS,
                Phase.COMPLETED}) {
                journal.record(id, phase, phase == Phase.SOURCE_OWNS || phase == Phase.SWITCH_OVER_SENT ? Owner.SOURCE
                        : Owner.DESTINATION, Journal.Details.NONE);
            }
        }
        CapturedRun run = recover(state);
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err()).contains("already completed").doesNotContain("Exception", "\tat ");
    }
}
