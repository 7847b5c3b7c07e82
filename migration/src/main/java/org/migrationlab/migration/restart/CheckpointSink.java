package org.migrationlab.migration.restart;

/**
 * Where a source session puts its checkpoint, durably, before SWITCH_OVER goes out. A failure to save it
 * fails the migration before the switch-over: the guest then stays the source's.
 */
@FunctionalInterface
public interface CheckpointSink {
    /** Saves nothing: without a state directory. */
    CheckpointSink NONE = checkpoint -> { };

    /**
     * Makes ready, before the migration, what saving a checkpoint of a guest of {@code guestPages} pages needs,
     * so that the save inside the downtime only writes. Nothing by default.
     */
    default void prepare(long guestPages) {
    }

    void save(SourceCheckpoint checkpoint);

    /**
     * The durable writes of the switch-over come next, and the guest stands still until the destination
     * resumed it: a good time to keep the disk quiet. Nothing by default.
     */
    default void switchOverBegins() {
    }

    /** The destination resumed the guest, or will not: what {@link #switchOverBegins} held back may go on. */
    default void switchOverEnded() {
    }
}
