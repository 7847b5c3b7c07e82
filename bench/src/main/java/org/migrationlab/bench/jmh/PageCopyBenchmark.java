package org.migrationlab.bench.jmh;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.migrationlab.emulator.memory.GuestMemory;
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
 * Copies guest pages into pooled direct transfer buffers (Netty's pooled allocator, one 64-page batch
 * per buffer, allocated and released per batch as a sender would). One operation = one 4 KiB page, so
 * pages/µs × 4096 = bytes/µs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PageCopyBenchmark {
    static final int BATCH_PAGES = 64;
    private static final long RAM_BYTES = 256L << 20;

    private GuestMemory ram;
    private long nextPage;

    @Setup(Level.Trial)
    public void setUp() {
        ram = new GuestMemory(RAM_BYTES);
        java.util.Random random = new java.util.Random(1);
        for (long page = 0; page < ram.pageCount(); page++) {
            ram.writeLong(page * GuestMemory.PAGE_SIZE, random.nextLong()); // fault every page in
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_PAGES)
    public long copyBatchIntoPooledBuffer() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(BATCH_PAGES * GuestMemory.PAGE_SIZE);
        try {
            MemorySegment target = MemorySegment.ofBuffer(buffer.internalNioBuffer(0, buffer.capacity()));
            for (int i = 0; i < BATCH_PAGES; i++) {
                ram.copyPageTo(nextPage, target, (long) i * GuestMemory.PAGE_SIZE);
                nextPage = (nextPage + 1) % ram.pageCount();
            }
            buffer.writerIndex(BATCH_PAGES * GuestMemory.PAGE_SIZE);
            return buffer.getLong(0);
        } finally {
            buffer.release();
        }
    }
}
