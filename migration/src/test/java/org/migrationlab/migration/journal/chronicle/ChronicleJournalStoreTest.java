package org.migrationlab.migration.journal.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.Phase;

class ChronicleJournalStoreTest {
    @TempDir
    Path dir;

    private static JournalEntry entry(UUID id, int sequence, Phase phase) {
        return new JournalEntry(id, sequence, phase, Owner.SOURCE, 1, "wss, 16 MiB", "127.0.0.1:1", "",
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void entriesSurviveClosingAndReopening() throws InterruptedException {
        Path file = dir.resolve("source.journal");
        UUID id = UUID.randomUUID();
        try (ChronicleJournalStore store = ChronicleJournalStore.openForWriting(file)) {
            store.append(entry(id, 0, Phase.SOURCE_OWNS));
            store.append(entry(id, 1, Phase.SWITCH_OVER_SENT));
            store.awaitOnDisk(); // the background flush of both completes
        }

        try (ChronicleJournalStore store = ChronicleJournalStore.openForWriting(file)) {
            assertThat(store.entries()).containsExactly(entry(id, 0, Phase.SOURCE_OWNS),
                    entry(id, 1, Phase.SWITCH_OVER_SENT));
        }
    }

    @Test
    void aReaderSeesWhatTheWriterAppendsWhileTheWriterKeepsItOpen() {
        Path file = dir.resolve("destination.journal");
        UUID id = UUID.randomUUID();
        try (ChronicleJournalStore writer = ChronicleJournalStore.openForWriting(file)) {
            writer.append(entry(id, 0, Phase.SOURCE_OWNS));
            try (ChronicleJournalStore reader = ChronicleJournalStore.openForReading(file)) {
                writer.append(entry(id, 1, Phase.SWITCH_OVER_SENT));
                assertThat(reader.entries()).hasSize(2);
                assertThatThrownBy(() -> reader.append(entry(id, 2, Phase.FAILED)))
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void aSecondWriterIsRefused() {
        Path file = dir.resolve("source.journal");
        try (ChronicleJournalStore writer = ChronicleJournalStore.openForWriting(file)) {
            assertThatThrownBy(() -> ChronicleJournalStore.openForWriting(file))
                    .hasMessageContaining("in use by another process");
        }
        ChronicleJournalStore.openForWriting(file).close(); // the lock went with the first writer
    }

    @Test
    void readingAJournalThatIsNotThereSaysSo() {
        assertThatThrownBy(() -> ChronicleJournalStore.openForReading(dir.resolve("none.journal")))
                .hasMessageContaining("no journal at");
    }
}
