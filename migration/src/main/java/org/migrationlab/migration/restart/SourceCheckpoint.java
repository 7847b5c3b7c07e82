package org.migrationlab.migration.restart;

import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;

/**
 * The source's side of a migration as of its switch-over: what a new source process needs to serve the
 * pages still to come after the first one died. Secrets and TLS settings are not part of it: the new process
 * is given them again.
 *
 * @param migrationId the migration's id (the handshake's and the journal's)
 * @param destination the destination's address, {@code HOST:PORT}
 * @param mode        the migration's mode (post-copy or hybrid: pre-copy leaves nothing to serve)
 * @param config      the guest's RAM size and boot arguments
 * @param imageLabel  how reports name the guest's image
 * @param guestState  the frozen guest's state as GUEST_STATE carried it (CPU, devices, balloon map)
 * @param pending     the pages still to come at the switch-over, as SWITCH_OVER carried them (a page bitmap)
 * @param restarts    how many source processes took the migration over from a dead one (0 for the first)
 */
public record SourceCheckpoint(UUID migrationId, String destination, MigrationMode mode, MachineConfig config,
                               String imageLabel, byte[] guestState, byte[] pending, int restarts) {
    /**
     * Post-copy recovery epochs each source process may use: a restarted source starts above every epoch its
     * predecessors could have used (a process that redials for 5 minutes uses a few hundred).
     */
    public static final int EPOCHS_PER_PROCESS = 1 << 16;
    /** Restarts allowed in all: the epochs stay within an int. */
    public static final int MAX_RESTARTS = Integer.MAX_VALUE / EPOCHS_PER_PROCESS - 1;

    public SourceCheckpoint {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(imageLabel, "imageLabel");
        guestState = guestState.clone();
        pending = pending.clone();
        if (restarts < 0 || restarts > MAX_RESTARTS) {
            throw new IllegalArgumentException("restarts out of range: " + restarts);
        }
    }

    @Override
    public byte[] guestState() {
        return guestState.clone();
    }

    @Override
    public byte[] pending() {
        return pending.clone();
    }

    /** The same checkpoint, taken over by one more source process. */
    public SourceCheckpoint restarted() {
        return new SourceCheckpoint(migrationId, destination, mode, config, imageLabel, guestState, pending,
                restarts + 1);
    }

    /** The first post-copy recovery epoch of this process: above every epoch of the processes before it. */
    public int firstEpoch() {
        return restarts * EPOCHS_PER_PROCESS + 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceCheckpoint c && migrationId.equals(c.migrationId) && destination.equals(c.destination)
                && mode == c.mode && config.equals(c.config) && imageLabel.equals(c.imageLabel)
                && Arrays.equals(guestState, c.guestState) && Arrays.equals(pending, c.pending)
                && restarts == c.restarts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(migrationId, destination, mode, config, imageLabel, Arrays.hashCode(guestState),
                Arrays.hashCode(pending), restarts);
    }

    @Override
    public String toString() {
        return "SourceCheckpoint[" + migrationId + " to " + destination + ", " + mode + ", restarts " + restarts + "]";
    }
}
