package org.migrationlab.guest.reference;

import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The {@code stream} workload in plain Java (WORKLOADS.md, "stream"): the byte stream the guest sends
 * and its CRC32C, which is the guest's result. Chunking and the ring do not change the bytes.
 */
public final class StreamReference {
    private StreamReference() {
    }

    /** The guest's exit result: CRC32C of the first {@code bytes=} bytes of the stream. */
    public static long result(long seed, Map<String, String> args) {
        WorkloadArgs a = new WorkloadArgs("stream", args);
        long bytes = a.size("bytes", 16L << 20);
        a.size("chunk", 16L << 10);
        a.integer("ring", 16);
        a.rejectUnused();
        if (bytes == 0) {
            throw new IllegalArgumentException("stream: bytes=0 has no result (it runs forever)");
        }
        return crc32c(seed, bytes);
    }

    /** CRC32C of the stream's first {@code bytes} bytes: little-endian splitmix64 outputs from the seed. */
    public static long crc32c(long seed, long bytes) {
        Splitmix64 random = new Splitmix64(seed);
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[64 * 1024];
        for (long done = 0; done < bytes; ) {
            int n = (int) Math.min(buffer.length, bytes - done);
            for (int i = 0; i < n; i += 8) {
                long w = random.next();
                for (int b = 0; b < 8 && i + b < n; b++) {
                    buffer[i + b] = (byte) (w >>> (8 * b));
                }
            }
            crc.update(buffer, 0, n);
            done += n;
        }
        return crc.getValue();
    }
}
