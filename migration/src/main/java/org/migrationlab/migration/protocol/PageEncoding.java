package org.migrationlab.migration.protocol;

/** How one page's bytes travel. Codes are protocol. */
public enum PageEncoding {
    /** All zeros: no data (QEMU's "duplicate"). */
    ZERO(0),
    /** 4096 bytes as they are. */
    RAW(1),
    /** Deflate-compressed, 1..4096 bytes. */
    DEFLATE(2);

    private final int code;

    PageEncoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static PageEncoding ofCode(int code) {
        return switch (code) {
            case 0 -> ZERO;
            case 1 -> RAW;
            case 2 -> DEFLATE;
            default -> throw new ProtocolException(AbortReason.MALFORMED, "unknown page encoding " + code);
        };
    }
}
