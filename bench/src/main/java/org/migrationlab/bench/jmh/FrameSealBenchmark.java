package org.migrationlab.bench.jmh;

import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.RecordCodec;
import org.migrationlab.migration.transport.ChannelKeys;
import org.migrationlab.migration.transport.FrameCipher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What sealing costs the push, per page, in one run, on one bulk frame of 64 pages: the frame copied into a
 * fresh pooled buffer as an unsealed stream would write it (the floor); sealed with the protocol's
 * AES-256-GCM (encrypt + tag); sealed then opened (both ends' work); and, for comparison, authenticated with
 * HMAC-SHA256 over the same bytes (the per-frame MAC of the protocol's version 4). One operation = one
 * 4 KiB page, so pages/µs × 4096 = bytes/µs, directly comparable with {@link PageCopyBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FrameSealBenchmark {
    static final int BATCH_PAGES = 64;
    private static final int BODY_BYTES = BATCH_PAGES * (GuestMemory.PAGE_SIZE + 9); // page + per-page descriptor

    private ByteBuf frame;
    private FrameCipher cipher;
    private FrameCipher sealer;
    private FrameCipher opener;
    private Mac hmac;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        Random random = new Random(1);
        byte[] bytes = new byte[RecordCodec.HEADER_BYTES + BODY_BYTES];
        random.nextBytes(bytes);
        bytes[2] = 0; // flags: unsealed
        bytes[3] = 0;
        frame = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        byte[] key = new byte[32];
        random.nextBytes(key);
        cipher = new ChannelKeys(key, key, key, key).frames(Role.SOURCE);
        sealer = new ChannelKeys(key, key, key, key).frames(Role.SOURCE);
        opener = new ChannelKeys(key, key, key, key).frames(Role.SOURCE);
        hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(key, "HmacSHA256"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
    }

    /** The floor: the frame written into a fresh buffer, as a stream without a seal pays anyway. */
    @Benchmark
    @OperationsPerInvocation(BATCH_PAGES)
    public long copyOnly() {
        ByteBuf copy = PooledByteBufAllocator.DEFAULT.directBuffer(frame.readableBytes());
        try {
            copy.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            return copy.getLong(copy.writerIndex() - 8);
        } finally {
            copy.release();
        }
    }

    /** The seal since protocol version 5: AES-256-GCM over the body, header and sequence number authenticated. */
    @Benchmark
    @OperationsPerInvocation(BATCH_PAGES)
    public long sealAesGcm() {
        ByteBuf sealed = cipher.seal(frame, PooledByteBufAllocator.DEFAULT);
        try {
            return sealed.getLong(sealed.writerIndex() - 8);
        } finally {
            sealed.release();
        }
    }

    /**
     * Both ends of the seal (protocol version 5 on): a frame sealed, then opened and checked
     * (open = this − {@link #sealAesGcm}).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH_PAGES)
    public long sealAndOpenAesGcm() throws FrameCipher.BrokenSealException {
        ByteBuf sealed = sealer.seal(frame, PooledByteBufAllocator.DEFAULT);
        try {
            ByteBuf opened = opener.open(sealed, PooledByteBufAllocator.DEFAULT);
            try {
                return opened.getLong(opened.writerIndex() - 8);
            } finally {
                opened.release();
            }
        } finally {
            sealed.release();
        }
    }

    /** Protocol 4's way: HMAC-SHA256 over the whole frame, body in the clear (a copy, as the sealer made one). */
    @Benchmark
    @OperationsPerInvocation(BATCH_PAGES)
    public long macHmacSha256() {
        ByteBuf copy = PooledByteBufAllocator.DEFAULT.directBuffer(frame.readableBytes() + 32);
        try {
            copy.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            hmac.update(frame.nioBuffer(frame.readerIndex(), frame.readableBytes()));
            copy.writeBytes(hmac.doFinal());
            return copy.getLong(copy.writerIndex() - 8);
        } finally {
            copy.release();
        }
    }
}
