package org.migrationlab.migration.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class EntryCodecTest {
    private static final UUID ID = UUID.fromString("4f1c2d3e-0000-4000-8000-000000000001");

    @Test
    void anEntryRoundTripsEvenWithTabsAndNewlinesInItsText() {
        JournalEntry entry = new JournalEntry(ID, 3, Phase.SWITCH_OVER_SENT, Owner.SOURCE, 1, "wss\t512 MiB\nx\\y",
                "127.0.0.1:7000", "7", Instant.parse("2026-01-02T03:04:05.123456Z"));

        assertThat(EntryCodec.decode(EntryCodec.encode(entry))).isEqualTo(entry);
    }

    @Test
    void aTruncatedValueIsRefusedRatherThanMisread() {
        String value = EntryCodec.encode(new JournalEntry(ID, 0, Phase.SOURCE_OWNS, Owner.SOURCE, 1, "g", "", "",
                Instant.EPOCH));

        assertThatThrownBy(() -> EntryCodec.decode(value.substring(0, value.length() - 5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EntryCodec.decode(value.substring(0, value.lastIndexOf('\t'))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysSortAMigrationsEntriesBySequence() {
        assertThat(EntryCodec.key(ID, 9)).isLessThan(EntryCodec.key(ID, 10));
    }
}
