package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.journal.FlushGate;
import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Phase;

/** {@code --state-dir}'s journal as the sessions see it: a session's switch-over holds the disk flush back. */
@Timeout(60)
class StateJournalTest {

    @Test
    void aSessionsSwitchOverHoldsTheJournalsDiskFlushUntilItEnds(@TempDir Path dir) throws Exception {
        FlushGate gate = new FlushGate();
        try (StateJournal journal = StateJournal.open(dir, Owner.DESTINATION, gate)) {
            OwnershipJournal port = journal.port(() -> Journal.Details.NONE);
            UUID id = UUID.randomUUID();
            port.switchOverBegins();
            assertThat(gate.held()).isTrue();
            port.record(id, Phase.DESTINATION_OWNS, Owner.DESTINATION);
            // The entry outlives the process at once: it is there to read while its flush waits.
            assertThat(journal.latest(id)).hasValueSatisfying(entry ->
                    assertThat(entry.phase()).isEqualTo(Phase.DESTINATION_OWNS));
            CompletableFuture<Void> onDisk = CompletableFuture.runAsync(() -> {
                try {
                    journal.awaitOnDisk();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // A flush that ignored the hold would be done well within this wait.
            assertThatThrownBy(() -> onDisk.get(300, TimeUnit.MILLISECONDS)).as("no disk flush during the switch-over")
                    .isInstanceOf(TimeoutException.class);
            port.switchOverEnded();
            assertThat(gate.held()).isFalse();
            onDisk.get(30, TimeUnit.SECONDS);
        }
    }
}
