package org.migrationlab.migration.progress;

/** Bytes written so far on each of the source's two channels, for a timeline of the link's use. */
public record ChannelBytes(long bulk, long urgent) {
    public static final ChannelBytes NONE = new ChannelBytes(0, 0);
}
