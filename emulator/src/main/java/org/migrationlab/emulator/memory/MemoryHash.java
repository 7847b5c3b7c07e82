package org.migrationlab.emulator.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A fast 64-bit hash of guest RAM used as the migration oracle: two machines with equal RAM hash
 * equally, and any differing byte changes the hash with overwhelming probability. Each 8-byte word is
 * mixed with its index (so moved data differs) and folded with a multiply-xorshift.
 */
public final class MemoryHash {
    private static final long K1 = 0x9E3779B97F4A7C15L;
    private static final long K2 = 0xC2B2AE3D27D4EB4FL;

    private MemoryHash() {
    }

    public static long of(GuestMemory ram) {
        return ofRange(ram.segment(), 0, ram.sizeBytes());
    }

    public static long ofRange(MemorySegment segment, long offset, long length) {
        long h = length * K1;
        long end = offset + length;
        long index = 0;
        for (long at = offset; at < end; at += 8, index++) {
            long word = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            if (word != 0) {
                long mixed = (word ^ (index * K2)) * K1;
                h ^= mixed ^ (mixed >>> 29);
                h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
            } else {
                h += K2;
            }
        }
        return finish(h);
    }

    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    public static String hex(long hash) {
        return String.format("%016x", hash);
    }
}
