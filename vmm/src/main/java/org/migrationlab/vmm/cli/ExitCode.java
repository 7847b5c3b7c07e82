package org.migrationlab.vmm.cli;

/** The exit codes of {@code vmm}; the help footer lists them. */
public enum ExitCode {
    /**
     * Success: the guest halted with status 0 ({@code run}, {@code daemon --once}); the migration completed
     * ({@code migrate}), and the migrated guest ended as the unmigrated one did ({@code demo}).
     */
    SUCCESS(0),
    /** The guest halted with a non-zero status, crashed, or the host failed while running it. */
    GUEST_FAILED(1),
    /** {@code migrate}, {@code demo}: the migration failed, or (demo) the migrated guest ended unlike the oracle. */
    MIGRATION_FAILED(1),
    /** A usage error: bad option or argument, unreadable or invalid image, missing Unicorn library. */
    USAGE(2),
    /** A bug in vmm itself; a stack trace follows the message. */
    INTERNAL_ERROR(3),
    /**
     * {@code migrate}, {@code demo}: nothing live was migrated, because the guest ended before the migration
     * started or before the switch-over (what moved, if anything, was a finished guest).
     */
    NOTHING_LIVE_MIGRATED(4);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
