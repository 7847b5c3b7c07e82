package org.migrationlab.migration.protocol;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.netty.buffer.ByteBufAllocator;

import org.migrationlab.migration.protocol.MigrationRecord.Abort;
import org.migrationlab.migration.protocol.MigrationRecord.Auth;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;
import org.migrationlab.migration.protocol.MigrationRecord.Complete;
import org.migrationlab.migration.protocol.MigrationRecord.DestinationStats;
import org.migrationlab.migration.protocol.MigrationRecord.GuestStateRecord;
import org.migrationlab.migration.protocol.MigrationRecord.GuestConfig;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.protocol.MigrationRecord.PagesDone;
import org.migrationlab.migration.protocol.MigrationRecord.ProgressHint;
import org.migrationlab.migration.protocol.MigrationRecord.Resumed;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.MigrationRecord.RoundEnd;
import org.migrationlab.migration.protocol.MigrationRecord.SwitchOver;

/** Seeded sample records and pages. Page batches are the caller's to release. */
final class SampleRecords {
    static final UUID MIGRATION_ID = UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");

    private SampleRecords() {
    }

    static byte[] zeroPage() {
        return new byte[org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE];
    }

    static byte[] randomPage(Random random) {
        byte[] page = new byte[org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE];
        random.nextBytes(page);
        return page;
    }

    /** A page that deflates well: a short pattern repeated, with a few odd bytes. */
    static byte[] compressiblePage(Random random) {
        byte[] page = new byte[org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE];
        byte[] pattern = ("page " + random.nextInt(1000) + " ").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < page.length; i++) {
            page[i] = pattern[i % pattern.length];
        }
        for (int i = 0; i < 8; i++) {
            page[random.nextInt(page.length)] = (byte) random.nextInt();
        }
        return page;
    }

    static PageBatch batch(ByteBufAllocator alloc, PageCodec.Compression compression, SendReason reason, int round,
                           long[] pageNumbers, byte[][] pages) {
        try (PageBatchBuilder builder = new PageBatchBuilder(alloc, compression)) {
            for (int i = 0; i < pages.length; i++) {
                builder.add(pageNumbers[i], MemorySegment.ofArray(pages[i]).asReadOnly());
            }
            return builder.build(reason, round);
        }
    }

    /** A batch with one zero, one raw and one deflated page (pages 7, 8, 9). */
    static PageBatch mixedBatch(ByteBufAllocator alloc, Random random) {
        return batch(alloc, PageCodec.Compression.DEFLATE, SendReason.PRECOPY_ROUND, 3, new long[] {7, 8, 9},
                new byte[][] {zeroPage(), randomPage(random), compressiblePage(random)});
    }

    /** One record of every type, in protocol order; the last is the caller's page batch. */
    static List<MigrationRecord> oneOfEach(ByteBufAllocator alloc, Random random) {
        List<MigrationRecord> records = new ArrayList<>();
        records.add(new Hello(Hello.CURRENT_VERSION, Role.SOURCE, Channel.BULK, MIGRATION_ID, bytes(random, 16)));
        records.add(new Auth(bytes(random, 32)));
        records.add(new GuestConfig(64L << 20, 42, MigrationMode.HYBRID, "kvstore",
                Map.of("keys", "1000", "naïve", "ünïcödé ✓")));
        records.add(new RoundEnd(3, 1234));
        records.add(new GuestStateRecord(bytes(random, 420)));
        records.add(new SwitchOver(MigrationMode.POSTCOPY, 3, new byte[] {0b0000_0101, 0, (byte) 0x80}));
        records.add(new Resumed(1_250_000, 3_500_000, 420_000));
        records.add(new PageRequest(123_456));
        records.add(new PagesDone(16_384));
        records.add(new Complete(16_384));
        records.add(new Abort(AbortReason.BAD_CRC, "page 7: CRC32C mismatch ✗"));
        records.add(new ProgressHint("round 3: 1234 dirty pages"));
        records.add(new DestinationStats(3, 1000, 3, 80_000, 150_000, 900_000, 1_200_000));
        records.add(new MigrationRecord.FaultStages(3, new MigrationRecord.FaultStages.Stage(9_000, 20_000),
                new MigrationRecord.FaultStages.Stage(60_000, 800_000), new MigrationRecord.FaultStages.Stage(2_000,
                5_000), new MigrationRecord.FaultStages.Stage(7_000, 30_000)));
        records.add(new MigrationRecord.Heartbeat());
        records.add(new MigrationRecord.Ready());
        records.add(new MigrationRecord.Recover(2));
        records.add(new MigrationRecord.Recovered(2, 8, new byte[] {(byte) 0xfe, 0, 0x10}));
        records.add(mixedBatch(alloc, random));
        return records;
    }

    private static MigrationRecord.FaultStages.Stage randomStage(Random random) {
        return new MigrationRecord.FaultStages.Stage(random.nextLong() >>> 1, random.nextLong() >>> 1);
    }

    /** A random record of any type (small page batches, to keep streams short). */
    static MigrationRecord random(Random random, ByteBufAllocator alloc) {
        return switch (random.nextInt(17)) {
            case 0 -> new Hello(random.nextInt(3), random.nextBoolean() ? Role.SOURCE : Role.DESTINATION,
                    random.nextBoolean() ? Channel.BULK : Channel.URGENT, new UUID(random.nextLong(), random.nextLong()),
                    bytes(random, 16));
            case 1 -> new Auth(bytes(random, 32));
            case 2 -> {
                Map<String, String> args = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    args.put("k" + random.nextInt(100), "v" + random.nextLong());
                }
                yield new GuestConfig((1 + random.nextInt(1 << 14)) * 4096L, random.nextLong(),
                        MigrationMode.values()[random.nextInt(3)], "wss", args);
            }
            case 3 -> new RoundEnd(random.nextInt(Integer.MAX_VALUE), random.nextLong() >>> 1);
            case 4, 5 -> new GuestStateRecord(bytes(random, random.nextInt(600)));
            case 6 -> {
                byte[] bitmap = bytes(random, random.nextInt(64));
                long pending = 0;
                for (byte b : bitmap) {
                    pending += Integer.bitCount(b & 0xff);
                }
                yield new SwitchOver(MigrationMode.values()[random.nextInt(3)], pending, bitmap);
            }
            case 7 -> new Resumed(random.nextInt(1 << 30), random.nextInt(1 << 30), random.nextInt(1 << 30));
            case 8 -> new PageRequest(random.nextLong() >>> 1);
            case 9 -> new PagesDone(random.nextInt(1 << 20));
            case 10 -> new Complete(random.nextInt(1 << 20));
            case 11 -> new Abort(AbortReason.values()[random.nextInt(AbortReason.values().length)], "why " + random.nextInt());
            case 12 -> new ProgressHint("hint " + random.nextInt());
            case 13 -> new DestinationStats(random.nextInt(1000), random.nextInt(1000), random.nextInt(1000),
                    random.nextLong() >>> 1, random.nextLong() >>> 1, random.nextLong() >>> 1, random.nextLong() >>> 1);
            case 14 -> new MigrationRecord.FaultStages(random.nextInt(1000), randomStage(random), randomStage(random),
                    randomStage(random), randomStage(random));
            default -> {
                int count = 1 + random.nextInt(3);
                long[] pageNumbers = new long[count];
                byte[][] pages = new byte[count][];
                for (int i = 0; i < count; i++) {
                    pageNumbers[i] = random.nextInt(1 << 20);
                    pages[i] = switch (random.nextInt(3)) {
                        case 0 -> zeroPage();
                        case 1 -> randomPage(random);
                        default -> compressiblePage(random);
                    };
                }
                yield batch(alloc, random.nextBoolean() ? PageCodec.Compression.DEFLATE : PageCodec.Compression.NONE,
                        SendReason.values()[random.nextInt(5)], random.nextInt(100), pageNumbers, pages);
            }
        };
    }

    static byte[] bytes(Random random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
