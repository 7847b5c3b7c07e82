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
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineProbes;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.GuestStateCodec;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.protocol.PageBatchBuilder;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.SendReason;

/**
 * What a source sends after the handshake, as frames (bytes), built from a freshly booted 4 MiB guest
 * so that its guest state and pages are real: for tests that play the source by hand and then
 * break the stream on purpose. Immutable once built; {@link #get()} boots once per JVM.
 */
public final class SourceStreams {
    public static final long RAM_BYTES = 4L << 20;
    public static final long GUEST_PAGES = RAM_BYTES / org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE;
    private static final long SEED = 5;
    private static SourceStreams instance;

    private final GuestState guestState;
    /** A few pages of the booted guest (code, data, zero) and the last page with random bytes (sent raw). */
    private final long[] pageNumbers;
    private final byte[][] pages;
    /** Every page of the booted guest, by page number. */
    private final byte[][] image;

    private SourceStreams(GuestState guestState, long[] pageNumbers, byte[][] pages, byte[][] image) {
        this.guestState = guestState;
        this.pageNumbers = pageNumbers;
        this.pages = pages;
        this.image = image;
    }

    public static synchronized SourceStreams get() {
        if (instance == null) {
            instance = boot();
        }
        return instance;
    }

    private static SourceStreams boot() {
        try (Migratable guest = LoopbackMigration.MACHINES.boot(LoopbackMigration.config(RAM_BYTES, "wss", SEED),
                LoopbackMigration.KERNEL)) {
            Machine machine = MachineProbes.machineOf(guest); // never started: this thread owns it
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
            byte[][] image = new byte[(int) GUEST_PAGES][];
            for (int page = 0; page < GUEST_PAGES; page++) {
                image[page] = machine.memory().ram().page(page).toArray(ValueLayout.JAVA_BYTE);
            }
            GuestState state = new GuestState(machine.saveCpu(), machine.saveDevices(), new PageBitmap(GUEST_PAGES));
            return new SourceStreams(state, numbers, contents, image);
        }
    }

    /** The booted guest's state, nothing ballooned. */
    public GuestState guestState() {
        return guestState;
    }

    /** The booted guest's state with {@code ballooned} as its balloon map. */
    public GuestState guestState(PageBitmap ballooned) {
        return new GuestState(guestState.cpu(), guestState.devices(), ballooned);
    }

    /** GUEST_STATE carrying {@code state}. */
    public static byte[] guestStateFrame(GuestState state) {
        return frames(new MigrationRecord.GuestStateRecord(GuestStateCodec.encode(state)));
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
                guestStateFrame(guestState));
    }

    /**
     * A post-copy source's stream, one frame per element: config, GUEST_STATE (nothing ballooned),
     * SWITCH_OVER with every page pending (the destination starts the guest), a push of page 0 and the chosen pages, and
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
                guestStateFrame(guestState),
                frames(new MigrationRecord.SwitchOver(MigrationMode.POSTCOPY, GUEST_PAGES, allPending)),
                batch(SendReason.PUSH, pushed, contents, PageCodec.Compression.DEFLATE),
                frames(new MigrationRecord.PagesDone(pushed.length)));
    }

    /**
     * A post-copy push of every page of the booted guest except those in {@code received}, as PAGE_BATCH
     * frames of at most 256 pages, followed by PAGES_DONE: what a source sends after a recovery's bitmap.
     */
    public List<byte[]> pushOfEveryPageBut(PageBitmap received) {
        List<byte[]> frames = new ArrayList<>();
        List<Long> batch = new ArrayList<>();
        long pushed = 0;
        for (long page = 0; page <= GUEST_PAGES; page++) {
            if (page < GUEST_PAGES && !received.get(page)) {
                batch.add(page);
            }
            if (!batch.isEmpty() && (batch.size() == 256 || page == GUEST_PAGES)) {
                long[] numbers = batch.stream().mapToLong(Long::longValue).toArray();
                byte[][] contents = new byte[numbers.length][];
                for (int i = 0; i < numbers.length; i++) {
                    contents[i] = image[(int) numbers[i]];
                }
                frames.add(batch(SendReason.PUSH, numbers, contents, PageCodec.Compression.DEFLATE));
                pushed += numbers.length;
                batch.clear();
            }
        }
        frames.add(frames(new MigrationRecord.PagesDone(pushed)));
        return frames;
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
