package org.migrationlab.vmm.cli;

import java.util.Optional;
import java.util.UUID;

/** One request: {@code rollback [ID] REASON}, where ID is a migration id or '-' for the paused one. */
record FenceRequest(Optional<UUID> migrationId, String reason) {
    static FenceRequest parse(String line) {
        if (line == null || !line.startsWith("rollback ")) {
            throw new IllegalArgumentException("not a fence request (expected 'rollback ID REASON')");
        }
        String[] parts = line.split(" ", 3);
        if (parts.length < 3 || parts[2].isBlank()) {
            throw new IllegalArgumentException("a fence request needs a migration id (or '-') and a reason");
        }
        Optional<UUID> id;
        try {
            id = parts[1].equals("-") ? Optional.empty() : Optional.of(UUID.fromString(parts[1]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a migration id: " + parts[1]);
        }
        return new FenceRequest(id, parts[2]);
    }

    String line() {
        return "rollback " + migrationId.map(UUID::toString).orElse("-") + " " + OneLine.of(reason);
    }
}
