package org.migrationlab.migration.protocol;

/** The migration scheme; wire codes are protocol. */
public enum MigrationMode {
    PRECOPY(0), POSTCOPY(1), HYBRID(2);

    private final int code;

    MigrationMode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static MigrationMode ofCode(int code) {
        for (MigrationMode mode : values()) {
            if (mode.code == code) {
                return mode;
            }
        }
        throw new ProtocolException(AbortReason.MALFORMED, "unknown migration mode " + code);
    }
}
