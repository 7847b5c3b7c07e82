package org.migrationlab.migration.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.migrationlab.migration.journal.JournalEntry;

/**
 * What a state directory's journals say: each migration each side journaled, at its latest transition,
 * with the phases it went through. {@code vmm status} shows it as a table and as JSON.
 */
@JsonPropertyOrder({"state-dir", "migrations"})
public record JournalStatus(@JsonProperty("state-dir") String stateDir,
                            @JsonProperty("migrations") List<Migration> migrations) {
    public JournalStatus {
        migrations = List.copyOf(migrations);
    }

    /** One migration as one side journaled it. */
    @JsonPropertyOrder({"side", "migration-id", "phase", "owner", "epoch", "guest", "peer", "fault-plan-seed",
        "updated-at", "transitions"})
    public record Migration(@JsonProperty("side") String side,
                            @JsonProperty("migration-id") String migrationId,
                            @JsonProperty("phase") String phase,
                            @JsonProperty("owner") String owner,
                            @JsonProperty("epoch") long epoch,
                            @JsonProperty("guest") String guest,
                            @JsonProperty("peer") String peer,
                            @JsonProperty("fault-plan-seed") String faultPlanSeed,
                            @JsonProperty("updated-at") String updatedAt,
                            @JsonProperty("transitions") List<String> transitions) {
        public Migration {
            transitions = List.copyOf(transitions);
        }
    }

    /** @param entriesBySide each side's entries, as its store returns them (by migration, then sequence) */
    public static JournalStatus of(String stateDir, Map<String, List<JournalEntry>> entriesBySide) {
        List<Migration> migrations = new ArrayList<>();
        entriesBySide.forEach((side, entries) -> {
            Map<UUID, List<JournalEntry>> byMigration = entries.stream().collect(
                    Collectors.groupingBy(JournalEntry::migrationId, java.util.LinkedHashMap::new, Collectors.toList()));
            byMigration.values().forEach(chain -> {
                JournalEntry last = chain.getLast();
                migrations.add(new Migration(side, last.migrationId().toString(), last.phase().label(),
                        last.owner().label(), last.epoch(), last.guest(), last.peer(), last.faultPlanSeed(),
                        last.updatedAt().toString(), chain.stream().map(e -> e.phase().label()).toList()));
            });
        });
        migrations.sort((a, b) -> a.updatedAt().equals(b.updatedAt()) ? a.side().compareTo(b.side())
                : a.updatedAt().compareTo(b.updatedAt()));
        return new JournalStatus(stateDir, migrations);
    }
}
