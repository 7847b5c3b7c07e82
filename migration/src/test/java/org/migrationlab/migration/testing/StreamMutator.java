package org.migrationlab.migration.testing;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.RecordCodec;

/**
 * Seeded mutations of a valid record stream, for hostile-input tests: one structural mutation (a frame's
 * length or type, or an integer in its body set to an interesting value) and/or a few byte-level ones
 * (flip, overwrite, insert, delete, truncate, append a copy). {@link #mutate} describes what it did, so a
 * failure can be read without rerunning it.
 */
public final class StreamMutator {
    private static final long[] INTERESTING = {0, 1, 2, 7, 8, 255, 256, 257, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff,
        0x10000, RecordCodec.MAX_FRAME_BODY, RecordCodec.MAX_FRAME_BODY + 1L, 0x7fffffffL, 0x80000000L, 0xffffffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, -1};

    /** A valid stream and where each of its frames starts. */
    public record Stream(String name, byte[] bytes, int[] frameStarts) {
        public static Stream of(String name, List<? extends MigrationRecord> records) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int[] starts = new int[records.size()];
            for (int i = 0; i < records.size(); i++) {
                starts[i] = bytes.size();
                bytes.writeBytes(RawPeer.encode(records.get(i)));
            }
            return new Stream(name, bytes.toByteArray(), starts);
        }
    }

    /** A mutated stream and how it was made. */
    public record Mutation(byte[] bytes, String description) {
    }

    private StreamMutator() {
    }

    public static Mutation mutate(Stream base, Random random) {
        StringBuilder how = new StringBuilder(base.name()).append(": ");
        byte[] bytes = base.bytes().clone();
        int frame = base.frameStarts()[random.nextInt(base.frameStarts().length)];
        int byteOps;
        switch (random.nextInt(4)) {
            case 0 -> {
                long value = random.nextBoolean() ? interesting(random)
                        : Integer.toUnsignedLong(getIntLE(bytes, frame + 4)) + random.nextInt(17) - 8;
                putLE(bytes, frame + 4, 4, value);
                how.append("length of frame at ").append(frame).append(" := ").append(value & 0xffffffffL).append("; ");
                byteOps = random.nextInt(2);
            }
            case 1 -> {
                int type = random.nextBoolean() ? (int) interesting(random) & 0xffff : random.nextInt(0x10000);
                putLE(bytes, frame, 2, type);
                how.append("type of frame at ").append(frame).append(" := ").append(type).append("; ");
                byteOps = random.nextInt(2);
            }
            case 2 -> {
                int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
                int at = frame + RecordCodec.HEADER_BYTES
                        + random.nextInt(Math.max(1, Math.min(64, bytes.length - frame - RecordCodec.HEADER_BYTES)));
                if (at + width <= bytes.length) {
                    long value = interesting(random);
                    putLE(bytes, at, width, value);
                    how.append("u").append(8 * width).append(" at ").append(at).append(" := ").append(value).append("; ");
                }
                byteOps = random.nextInt(2);
            }
            default -> byteOps = 1 + random.nextInt(3);
        }
        for (int i = 0; i < byteOps; i++) {
            bytes = byteMutation(bytes, random, how);
        }
        return new Mutation(bytes, how.toString());
    }

    private static byte[] byteMutation(byte[] bytes, Random random, StringBuilder how) {
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        int span = 1 + random.nextInt(16);
        switch (random.nextInt(6)) {
            case 0 -> {
                if (bytes.length > 0) {
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                    how.append("flip a bit at ").append(at).append("; ");
                }
            }
            case 1 -> {
                for (int i = at; i < Math.min(bytes.length, at + span); i++) {
                    bytes[i] = (byte) random.nextInt();
                }
                how.append("overwrite ").append(span).append(" at ").append(at).append("; ");
            }
            case 2 -> {
                byte[] inserted = new byte[span];
                random.nextBytes(inserted);
                bytes = concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
                how.append("insert ").append(span).append(" at ").append(at).append("; ");
            }
            case 3 -> {
                int end = Math.min(bytes.length, at + span);
                bytes = concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, end, bytes.length));
                how.append("delete ").append(end - at).append(" at ").append(at).append("; ");
            }
            case 4 -> {
                bytes = Arrays.copyOf(bytes, at);
                how.append("truncate at ").append(at).append("; ");
            }
            default -> {
                int end = Math.min(bytes.length, at + span * 8);
                bytes = concat(bytes, Arrays.copyOfRange(bytes, at, end));
                how.append("append a copy of ").append(at).append("..").append(end).append("; ");
            }
        }
        return bytes;
    }

    private static long interesting(Random random) {
        return INTERESTING[random.nextInt(INTERESTING.length)];
    }

    private static int getIntLE(byte[] bytes, int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (bytes[at + 3] & 0xff) << 24;
    }

    private static void putLE(byte[] bytes, int at, int width, long value) {
        for (int i = 0; i < width && at + i < bytes.length; i++) {
            bytes[at + i] = (byte) (value >>> (8 * i));
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
