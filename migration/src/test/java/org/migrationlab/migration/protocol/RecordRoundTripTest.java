package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.netty.buffer.ByteBufAllocator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;

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

/** Every record type survives RecordEncoder → bytes → FrameDecoder → RecordDecoder (PROTOCOL §4). */
@AddLifecycleHook(NoLeaks.class)
class RecordRoundTripTest {

    @Property
    void helloRoundTrips(@ForAll("hellos") Hello hello) {
        assertRoundTrips(hello);
    }

    @Property
    void authRoundTrips(@ForAll @Size(32) byte[] mac) {
        assertRoundTrips(new Auth(mac));
    }

    @Property
    void guestConfigRoundTrips(@ForAll("guestConfigs") GuestConfig config) {
        assertRoundTrips(config);
    }

    @Property
    void roundEndRoundTrips(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int round, @ForAll("counts") long dirty) {
        assertRoundTrips(new RoundEnd(round, dirty));
    }

    @Property
    void guestStateRoundTrips(@ForAll @Size(max = 5000) byte[] image) {
        assertRoundTrips(new GuestStateRecord(image));
    }

    @Property
    void switchOverRoundTrips(@ForAll MigrationMode mode, @ForAll @Size(max = 600) byte[] bitmap) {
        long pending = 0;
        for (byte b : bitmap) {
            pending += Integer.bitCount(b & 0xff);
        }
        assertRoundTrips(new SwitchOver(mode, pending, bitmap));
    }

    @Property
    void resumedRoundTrips(@ForAll("counts") long receive, @ForAll("counts") long restore,
                           @ForAll("counts") long resume) {
        assertRoundTrips(new Resumed(receive, restore, resume));
    }

    @Property
    void pageRequestRoundTrips(@ForAll("counts") long page) {
        assertRoundTrips(new PageRequest(page));
    }

    @Property
    void pagesDoneAndCompleteRoundTrip(@ForAll("counts") long pages) {
        assertRoundTrips(new PagesDone(pages));
        assertRoundTrips(new Complete(pages));
    }

    @Property
    void abortRoundTrips(@ForAll AbortReason reason, @ForAll("texts") String message) {
        assertRoundTrips(new Abort(reason, message));
    }

    @Property
    void destinationStatsRoundTrip(@ForAll("counts") long networkFaults, @ForAll("counts") long minorFaults,
                                   @ForAll("counts") long requests, @ForAll("counts") long p50, @ForAll("counts") long p90,
                                   @ForAll("counts") long p99, @ForAll("counts") long max) {
        assertRoundTrips(new DestinationStats(networkFaults, minorFaults, requests, p50, p90, p99, max));
    }

    @Property
    void progressHintRoundTrips(@ForAll("texts") String text) {
        assertRoundTrips(new ProgressHint(text));
    }

    /** Zero, raw and deflated pages come back byte for byte, and their CRCs verify. */
    @Property(tries = 60)
    void pageBatchRoundTripsWithEveryPage(@ForAll("pageKinds") @Size(min = 1, max = 40) List<Integer> kinds,
                                          @ForAll PageCodec.Compression compression, @ForAll SendReason reason,
                                          @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int round,
                                          @ForAll long seed) {
        Random random = new Random(seed);
        byte[][] pages = new byte[kinds.size()][];
        long[] pageNumbers = new long[kinds.size()];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = switch (kinds.get(i)) {
                case 0 -> SampleRecords.zeroPage();
                case 1 -> SampleRecords.randomPage(random);
                default -> SampleRecords.compressiblePage(random);
            };
            pageNumbers[i] = random.nextLong() >>> 1;
        }
        PageBatch sent = SampleRecords.batch(ByteBufAllocator.DEFAULT, compression, reason, round, pageNumbers, pages);
        try (Wire.Decoding decoding = Wire.decode(Wire.encode(sent), random); Arena arena = Arena.ofConfined()) {
            assertThat(decoding.errors()).isEmpty();
            assertThat(decoding.records()).containsExactly(sent);
            PageBatch received = (PageBatch) decoding.records().getFirst();
            MemorySegment target = arena.allocate(org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE);
            for (int i = 0; i < pages.length; i++) {
                PageEncoding expected = switch (kinds.get(i)) {
                    case 0 -> PageEncoding.ZERO;
                    case 1 -> PageEncoding.RAW;
                    default -> compression == PageCodec.Compression.DEFLATE ? PageEncoding.DEFLATE : PageEncoding.RAW;
                };
                assertThat(received.encodings()[i]).isEqualTo(expected);
                PageCodec.decodePageInto(received, i, target);
                assertThat(target.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(pages[i]);
            }
        } finally {
            sent.release();
        }
    }

    /** A stream of many records decodes the same whatever the chunk boundaries. */
    @Property(tries = 100)
    void mixedStreamsSurviveAnyChunking(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int length) {
        Random random = new Random(seed);
        List<MigrationRecord> sent = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            sent.add(SampleRecords.random(random, ByteBufAllocator.DEFAULT));
        }
        try (Wire.Decoding decoding = Wire.decode(Wire.encode(sent), random)) {
            assertThat(decoding.errors()).isEmpty();
            assertThat(decoding.records()).containsExactlyElementsOf(sent);
        } finally {
            sent.forEach(io.netty.util.ReferenceCountUtil::release);
        }
    }

    private static void assertRoundTrips(MigrationRecord record) {
        try (Wire.Decoding decoding = Wire.decode(Wire.encode(record))) {
            assertThat(decoding.errors()).isEmpty();
            assertThat(decoding.records()).containsExactly(record);
        }
    }

    @Provide
    Arbitrary<Hello> hellos() {
        Arbitrary<UUID> ids = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
        return Combinators.combine(Arbitraries.integers().between(0, 0xffff), Arbitraries.of(Role.class),
                Arbitraries.of(Channel.class), ids, Arbitraries.bytes().array(byte[].class).ofSize(16)).as(Hello::new);
    }

    @Provide
    Arbitrary<GuestConfig> guestConfigs() {
        Arbitrary<Long> ram = Arbitraries.longs().between(1, GuestConfig.MAX_RAM_BYTES / 4096).map(pages -> pages * 4096);
        return Combinators.combine(ram, Arbitraries.longs(), Arbitraries.of(MigrationMode.class),
                Arbitraries.strings().ascii().ofMaxLength(31),
                Arbitraries.maps(text(16), text(40)).ofMaxSize(8)).as(GuestConfig::new);
    }

    @Provide
    Arbitrary<Long> counts() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    @Provide
    Arbitrary<String> texts() {
        return text(MigrationRecord.MAX_MESSAGE_BYTES / 4);
    }

    @Provide
    Arbitrary<List<Integer>> pageKinds() {
        return Arbitraries.integers().between(0, 2).list();
    }

    /** Strings of whole code points (no lone surrogates), at most 4 UTF-8 bytes each. */
    static Arbitrary<String> text(int maxCodePoints) {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 0x7f)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0xd7ff)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xe000, 0x10ffff)));
        return codePoints.list().ofMaxSize(maxCodePoints).map(list -> {
            StringBuilder text = new StringBuilder();
            list.forEach(text::appendCodePoint);
            return text.toString();
        });
    }
}
