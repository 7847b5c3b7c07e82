package org.migrationlab.migration.protocol;

/**
 * The migration scheme; wire codes are protocol (PROTOCOL §1). The engine asks a mode what it does
 * ({@link #hasLiveRounds()}, {@link #hasPostcopyPhase()}) rather than which one it is, and each answer is an
 * exhaustive switch: a new mode does not compile until it says what it does, instead of silently taking
 * whichever branch a comparison with another mode leaves it.
 */
public enum MigrationMode {
    PRECOPY(0, "precopy"), POSTCOPY(1, "postcopy"), HYBRID(2, "hybrid"),
    /** The baseline: no live round; the guest is paused and every page not ballooned goes out then. */
    STOP_AND_COPY(3, "stop-and-copy");

    private final int code;
    private final String label;

    MigrationMode(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() {
        return code;
    }

    /** The name the command line and the reports use. */
    public String label() {
        return label;
    }

    /** Whether pages are copied while the guest still runs at the source (pre-copy rounds under dirty logging). */
    public boolean hasLiveRounds() {
        return switch (this) {
            case PRECOPY, HYBRID -> true;
            case POSTCOPY, STOP_AND_COPY -> false;
        };
    }

    /**
     * Whether pages may still be pending when the destination resumes the guest: they are then pushed and
     * served on demand, the destination's balloon is frozen until they all arrived, and the source keeps its
     * frozen guest (and, with a state directory, a checkpoint of it) until COMPLETE. Without one, every page
     * is at the destination before SWITCH_OVER.
     */
    public boolean hasPostcopyPhase() {
        return switch (this) {
            case POSTCOPY, HYBRID -> true;
            case PRECOPY, STOP_AND_COPY -> false;
        };
    }

    public static MigrationMode ofCode(int code) {
        for (MigrationMode mode : values()) {
            if (mode.code == code) {
                return mode;
            }
        }
        throw new ProtocolException(AbortReason.MALFORMED, "unknown migration mode " + code);
    }

    /** The mode the command line calls {@code label}; null when none is. */
    public static MigrationMode ofLabel(String label) {
        for (MigrationMode mode : values()) {
            if (mode.label.equals(label)) {
                return mode;
            }
        }
        return null;
    }
}
