package org.migrationlab.emulator.devices;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The seeded request stream the {@code kvstore} workload serves (SPECweb-like): request {@code i} is a
 * pure function of the seed and of the requests before it, generated as the guest polls. Mix: 50 % GET,
 * 40 % PUT, 10 % DEL over {@code keys} keys; PUT values of 8..valueMax bytes derived from a value seed.
 */
public final class KvRequestStream {
    public static final int GET = 1;
    public static final int PUT = 2;
    public static final int DEL = 3;
    public static final int HEADER_BYTES = 24;
    private static final long SALT = 0x6b7673746f7265L;

    private final KvConfig config;
    private long rngState;
    private long nextId;

    /** How many requests, over how many keys, with values of at most how many bytes. */
    public record KvConfig(long requests, long keys, int valueMax) {
        /**
         * The host keeps one model entry per key the guest stored (about 100 bytes each): this bound keeps
         * that model under 30 MiB whatever the guest does.
         */
        public static final long MAX_KEYS = 1L << 18;

        public KvConfig {
            if (requests < 0 || keys < 1 || keys > MAX_KEYS || valueMax < 8 || valueMax > 60_000) {
                throw new IllegalArgumentException("kv config: requests >= 0, 1 <= keys <= " + MAX_KEYS
                        + ", 8 <= value-max <= 60000");
            }
        }

        public static KvConfig defaults() {
            return new KvConfig(20_000, 4096, 512);
        }
    }

    /** One request; {@code valueSeed} and {@code valueLength} describe a PUT's value. */
    public record Request(long id, int op, long key, long valueSeed, int valueLength) {
        public byte[] encode() {
            ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + valueLength).order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(op).putInt(valueLength).putLong(key).putLong(id);
            out.put(value(valueSeed, valueLength));
            return out.array();
        }
    }

    public KvRequestStream(long seed, KvConfig config) {
        this.config = config;
        this.rngState = seed ^ SALT;
    }

    public KvConfig config() {
        return config;
    }

    public boolean hasNext() {
        return nextId < config.requests();
    }

    public long nextId() {
        return nextId;
    }

    public Request next() {
        long id = nextId++;
        long choice = Long.remainderUnsigned(splitmix(), 100);
        long key = Long.remainderUnsigned(splitmix(), config.keys());
        if (choice < 50) {
            return new Request(id, GET, key, 0, 0);
        }
        if (choice < 90) {
            int length = 8 + (int) Long.remainderUnsigned(splitmix(), config.valueMax() - 7);
            return new Request(id, PUT, key, splitmix(), length);
        }
        return new Request(id, DEL, key, 0, 0);
    }

    private long splitmix() {
        rngState += 0x9E3779B97F4A7C15L;
        long z = rngState;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The bytes of a PUT value: little-endian splitmix64 outputs from {@code valueSeed}, truncated. */
    public static byte[] value(long valueSeed, int length) {
        ByteBuffer out = ByteBuffer.allocate((length + 7) & ~7).order(ByteOrder.LITTLE_ENDIAN);
        long state = valueSeed;
        while (out.hasRemaining()) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            out.putLong(z ^ (z >>> 31));
        }
        byte[] bytes = new byte[length];
        System.arraycopy(out.array(), 0, bytes, 0, length);
        return bytes;
    }

    long rngState() {
        return rngState;
    }

    void restore(long state, long id) {
        this.rngState = state;
        this.nextId = id;
    }
}
