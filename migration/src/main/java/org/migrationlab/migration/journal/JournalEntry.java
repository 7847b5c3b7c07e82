package org.migrationlab.migration.journal;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One journaled transition of one migration, as one side saw it.
 *
 * @param sequence      0, 1, 2... per migration and side: the order of its transitions
 * @param epoch         starts at 1 and grows by one each time the owner changes, so a later owner always
 *                      holds a higher epoch than an earlier one
 * @param guest         the guest's identity and configuration (image or workload, RAM, boot arguments)
 * @param peer          the other side's address, as this side knows it ("" when unknown)
 * @param faultPlanSeed the seed of the fault plan in force ("" without one)
 */
public record JournalEntry(UUID migrationId, int sequence, Phase phase, Owner owner, long epoch, String guest,
                           String peer, String faultPlanSeed, Instant updatedAt) {
    public JournalEntry {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(faultPlanSeed, "faultPlanSeed");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (sequence < 0 || epoch < 1) {
            throw new IllegalArgumentException("sequence " + sequence + ", epoch " + epoch);
        }
    }
}
