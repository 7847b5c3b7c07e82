package org.migrationlab.migration.testing;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.migrationlab.emulator.cpu.CpuStateCodec;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.protocol.PageBatchBuilder;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.SendReason;

/**
 * What a source sends after the handshake, as frames (bytes), built from a freshly booted 4 MiB guest
 * so that CPU state, device state and pages are real: for tests that play the source by hand and then
 * break the stream on purpose. Immutable once built; {@link #get()} boots once per JVM.
 */
public final class SourceStreams {
    public static final long RAM_BYTES = 4L << 20;
    public static final long GUEST_PAGES = RAM_BYTES / 4096;
    private static final long SEED = 5;
    private static SourceStreams instance;

    private final byte[] cpuState;
    private final byte[] deviceState;
    /** A few pages of the booted guest (code, data, zero) and the last page with random bytes (sent raw). */
    private final long[] pageNumbers;
    private final byte[][] pages;

    private SourceStreams(byte[] cpuState, byte[] deviceState, long[] pageNumbers, byte[][] pages) {
        this.cpuState = cpuState;
        this.deviceState = deviceState;
        this.pageNumbers = pageNumbers;
        this.pages = pages;
    }

    public static synchronized SourceStreams get() {
        if (instance == null) {
            instance = boot();
        }
        return instance;
    }

    private static SourceStreams boot() {
        try (Machine machine = org.migrationlab.migration.session.GuestMachines.boot(LoopbackMigration.config(RAM_BYTES, "wss", SEED), LoopbackMigration.KERNEL)) {
            List<Long> chosen = new ArrayList<>();
            int zeros = 0;
            for (long page = 1; page < GUEST_PAGES && chosen.size() < 6; page++) {
                if (!machine.memory().ram().isZeroPage(page) || zeros++ < 2) {
                    chosen.add(page);
                }
            }
            chosen.add(GUEST_PAGES - 1);
            long[] numbers = chosen.stream().mapToLong(Long::longValue).toArray();
            byte[][] contents = new byte[numbers.length][];
            for (int i = 0; i < numbers.length - 1; i++) {
                contents[i] = machine.memory().ram().page(numbers[i]).toArray(ValueLayout.JAVA_BYTE);
            }
            contents[numbers.length - 1] = new byte[4096];
            new Random(1).nextBytes(contents[numbers.length - 1]); // does not deflate: sent raw
            return new SourceStreams(CpuStateCodec.encode(machine.saveCpu()), machine.saveDevices(), numbers, contents);
        }
    }

    public byte[] cpuState() {
        return cpuState.clone();
    }

    /** The page with data that does not deflate (sent raw). */
    public byte[] rawPage() {
        return pages[pages.length - 1].clone();
    }

    public byte[] guestConfig(MigrationMode mode) {
        return frames(new MigrationRecord.GuestConfig(RAM_BYTES, SEED, mode, "wss", Map.of()));
    }

    /** One pre-copy batch of the chosen pages (zero, deflated and raw). */
    public byte[] precopyPages() {
        return batch(SendReason.PRECOPY_ROUND, pageNumbers, pages, PageCodec.Compression.DEFLATE);
    }

    /** Everything a pre-copy source sends before SWITCH_OVER (a short round 0), one frame per element. */
    public List<byte[]> precopyFrames() {
        return List.of(guestConfig(MigrationMode.PRECOPY), precopyPages(),
                frames(new MigrationRecord.RoundEnd(0, 2)), frames(new MigrationRecord.ProgressHint("round 0 done")),
                frames(new MigrationRecord.CpuStateRecord(cpuState)),
                frames(new MigrationRecord.DeviceStateRecord(deviceState)),
                noneBallooned());
    }

    /** BALLOON_MAP with no page ballooned (the guest runs with dsb=off). */
    public byte[] noneBallooned() {
        return frames(new MigrationRecord.BalloonMap(0, new byte[(int) (GUEST_PAGES / 8)]));
    }

    /** The device state the source saved (with an empty balloon). */
    public byte[] deviceState() {
        return deviceState.clone();
    }

    /**
     * A post-copy source's stream, one frame per element: config, CPU and device state, an empty
     * BALLOON_MAP, SWITCH_OVER with
     * every page pending (the destination starts the guest), a push of page 0 and the chosen pages, and
     * PAGES_DONE. The guest faults at once on pages that never come.
     */
    public List<byte[]> postcopyFrames() {
        byte[] allPending = new byte[(int) (GUEST_PAGES / 8)];
        Arrays.fill(allPending, (byte) 0xff);
        long[] pushed = new long[pageNumbers.length + 1];
        byte[][] contents = new byte[pages.length + 1][];
        System.arraycopy(pageNumbers, 0, pushed, 1, pageNumbers.length);
        System.arraycopy(pages, 0, contents, 1, pages.length);
        contents[0] = new byte[4096]; // page 0, the null guard
        return List.of(guestConfig(MigrationMode.POSTCOPY),
                frames(new MigrationRecord.CpuStateRecord(cpuState)),
                frames(new MigrationRecord.DeviceStateRecord(deviceState)),
                noneBallooned(),
                frames(new MigrationRecord.SwitchOver(MigrationMode.POSTCOPY, GUEST_PAGES, allPending)),
                batch(SendReason.PUSH, pushed, contents, PageCodec.Compression.DEFLATE),
                frames(new MigrationRecord.PagesDone(pushed.length)));
    }

    /** The frames as one stream to mutate. */
    public static StreamMutator.Stream stream(String name, List<byte[]> frames) {
        int[] starts = new int[frames.size()];
        int offset = 0;
        for (int i = 0; i < frames.size(); i++) {
            starts[i] = offset;
            offset += frames.get(i).length;
        }
        return new StreamMutator.Stream(name, concat(frames.toArray(byte[][]::new)), starts);
    }

    /** A PAGE_BATCH frame of the given pages (their 4 KiB contents). */
    public static byte[] batch(SendReason reason, long[] numbers, byte[][] contents, PageCodec.Compression compression) {
        try (PageBatchBuilder builder = new PageBatchBuilder(UnpooledByteBufAllocator.DEFAULT, compression)) {
            for (int i = 0; i < numbers.length; i++) {
                builder.add(numbers[i], MemorySegment.ofArray(contents[i]).asReadOnly());
            }
            PageBatch batch = builder.build(reason, 0);
            try {
                return RawPeer.encode(batch);
            } finally {
                batch.release();
            }
        }
    }

    public static byte[] frames(MigrationRecord... records) {
        return RawPeer.encode(List.of(records));
    }

    /** A bare frame header: type, flags and the declared body length, little-endian. */
    public static byte[] header(int type, int flags, long bodyBytes) {
        return new byte[] {(byte) type, (byte) (type >>> 8), (byte) flags, (byte) (flags >>> 8), (byte) bodyBytes,
            (byte) (bodyBytes >>> 8), (byte) (bodyBytes >>> 16), (byte) (bodyBytes >>> 24)};
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
