package org.migrationlab.emulator.image;

import java.util.List;

/**
 * A loadable guest: segments to copy into RAM, an entry point and the span the image occupies
 * (including zero-filled .bss). Produced by {@link ImageLoader}; validated against RAM by the machine.
 */
public record GuestImage(String name, long entry, List<Segment> segments, long start, long end) {

    /** {@code data} goes at {@code gpa}; bytes from data.length up to memoryBytes are zero. */
    public record Segment(long gpa, byte[] data, long memoryBytes) {
    }

    public GuestImage {
        segments = List.copyOf(segments);
    }

    public long sizeBytes() {
        return end - start;
    }
}
