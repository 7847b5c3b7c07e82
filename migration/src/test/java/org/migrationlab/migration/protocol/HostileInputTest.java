package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;

import org.migrationlab.migration.protocol.MigrationRecord.Abort;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.protocol.MigrationRecord.ProgressHint;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.Wire.Bytes;

/** Bytes from a hostile peer decode to typed protocol errors, never to anything else (PROTOCOL §2, §4). */
@ExtendWith(NoLeaks.class)
class HostileInputTest {
    private static final int HELLO = 1, GUEST_CONFIG = 3, PAGE_BATCH = 4, ROUND_END = 5, SWITCH_OVER = 8,
            RESUMED = 9, PAGE_REQUEST = 10, PAGES_DONE = 11, COMPLETE = 12, ABORT = 13, PROGRESS_HINT = 0x8001,
            DESTINATION_STATS = 0x8002,
            RETIRED_CPU_STATE = 6, RETIRED_DEVICE_STATE = 7, RETIRED_BALLOON_MAP = 14, FIRST_UNASSIGNED_TYPE = 20;

    @Test
    void theSamplesUsedHereCoverEveryRecordType() {
        List<MigrationRecord> records = SampleRecords.oneOfEach(ByteBufAllocator.DEFAULT, new Random(2));
        try {
            assertThat(records).extracting(MigrationRecord::type).containsExactlyInAnyOrder(RecordType.values());
        } finally {
            records.forEach(ReferenceCountUtil::release);
        }
    }

    // ---- header ----

    @Test
    void typeZeroIsInvalid() {
        assertRejected(Wire.frame(0, 0, new byte[0]), AbortReason.MALFORMED, "type 0");
    }

    @ParameterizedTest
    @ValueSource(ints = {FIRST_UNASSIGNED_TYPE, 0x00ff, 0x7fff})
    void unknownMandatoryTypeIsUnknownRecord(int type) {
        assertRejected(Wire.frame(type, 0, new byte[] {1, 2, 3}), AbortReason.UNKNOWN_RECORD, "mandatory record type");
    }

    @Test
    void unknownOptionalTypesAreSkippedAndCounted() {
        byte[] stream = Wire.concat(Wire.frame(0x8fff, 0, new byte[] {1, 2, 3}), Wire.frame(0xffff, 0, new byte[0]),
                Wire.encode(new PageRequest(5)));
        try (Wire.Decoding decoding = Wire.decode(stream)) {
            assertThat(decoding.errors()).isEmpty();
            assertThat(decoding.records()).containsExactly(new PageRequest(5));
            assertThat(decoding.skipped()).isEqualTo(2);
        }
        ByteBuf frame = ByteBufAllocator.DEFAULT.buffer().writeBytes(Wire.frame(0x9000, 0, new byte[7]));
        try {
            assertThat(RecordCodec.decode(frame)).isEqualTo(new RecordCodec.Decoded.SkippedOptional(0x9000, 7));
            assertThat(frame.isReadable()).isFalse();
        } finally {
            frame.release();
        }
    }

    @Test
    void theKnownOptionalProgressHintIsDecodedNotSkipped() {
        try (Wire.Decoding decoding = Wire.decode(Wire.encode(new ProgressHint("42%")))) {
            assertThat(decoding.records()).containsExactly(new ProgressHint("42%"));
            assertThat(decoding.skipped()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 0x80, 0x8000, 0xfffe, 0xffff})
    void undefinedFlagsAreMalformed(int flags) {
        assertRejected(Wire.frame(PAGE_REQUEST, flags, new Bytes().u64(1).toArray()), AbortReason.MALFORMED, "flags");
        assertRejected(Wire.frame(0x8fff, flags, new byte[0]), AbortReason.MALFORMED, "flags");
    }

    @Test
    void aFrameWhoseLengthDisagreesWithItsHeaderIsMalformedAtEveryCut() {
        List<MigrationRecord> records = SampleRecords.oneOfEach(ByteBufAllocator.DEFAULT, new Random(3));
        try {
            for (MigrationRecord record : records) {
                byte[] frame = Wire.encode(record);
                for (int cut = 0; cut < frame.length; cut++) {
                    assertDirectDecodeRejects(Arrays.copyOf(frame, cut), record + " cut at " + cut);
                }
                assertDirectDecodeRejects(Arrays.copyOf(frame, frame.length + 1), record + " with one byte more");
            }
        } finally {
            records.forEach(ReferenceCountUtil::release);
        }
    }

    // ---- bodies consumed exactly ----

    @Test
    void bodiesCutShortAtAnyByteAreMalformed() {
        // Opaque (CPU, device) and bitmap-ended (SWITCH_OVER) bodies have no fixed end: see their own tests.
        Set<RecordType> fixedShape = Set.of(RecordType.HELLO, RecordType.AUTH, RecordType.GUEST_CONFIG, RecordType.PAGE_BATCH,
                RecordType.ROUND_END, RecordType.PAGE_REQUEST, RecordType.PAGES_DONE, RecordType.COMPLETE, RecordType.ABORT,
                RecordType.PROGRESS_HINT, RecordType.DESTINATION_STATS);
        List<MigrationRecord> records = SampleRecords.oneOfEach(ByteBufAllocator.DEFAULT, new Random(4));
        try {
            for (MigrationRecord record : records) {
                if (!fixedShape.contains(record.type())) {
                    continue;
                }
                byte[] body = body(Wire.encode(record));
                for (int cut = 0; cut < body.length; cut++) {
                    assertRejected(Wire.frame(record.type().code(), 0, Arrays.copyOf(body, cut)), AbortReason.MALFORMED, "");
                }
            }
        } finally {
            records.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void bodiesWithBytesLeftOverAreMalformed() {
        List<MigrationRecord> records = SampleRecords.oneOfEach(ByteBufAllocator.DEFAULT, new Random(5));
        try {
            for (MigrationRecord record : records) {
                if (record.type() == RecordType.GUEST_STATE) {
                    continue; // opaque: any length is a (different) valid body
                }
                byte[] body = body(Wire.encode(record));
                byte[] longer = Arrays.copyOf(body, body.length + 1);
                longer[body.length] = (byte) 0xff; // for SWITCH_OVER: eight more pending pages than counted
                assertRejected(Wire.frame(record.type().code(), 0, longer), AbortReason.MALFORMED, "");
            }
        } finally {
            records.forEach(ReferenceCountUtil::release);
        }
        assertRejected(Wire.frame(RESUMED, 0, new byte[25]), AbortReason.MALFORMED, "1 bytes left over");
        byte[] negative = new byte[24];
        Arrays.fill(negative, 8, 16, (byte) 0xff); // a restore time of -1 ns
        assertRejected(Wire.frame(RESUMED, 0, negative), AbortReason.MALFORMED, "negative duration");
    }

    // ---- enums ----

    @Test
    void unknownEnumCodesAreMalformed() {
        assertRejected(Wire.frame(HELLO, 0, helloBody(1, 2, 0)), AbortReason.MALFORMED, "unknown role 2");
        assertRejected(Wire.frame(HELLO, 0, helloBody(1, 0, 2)), AbortReason.MALFORMED, "unknown channel 2");
        assertRejected(Wire.frame(GUEST_CONFIG, 0, completeGuestConfig(4096, 4, "x")), AbortReason.MALFORMED, "migration mode 4");
        assertRejected(Wire.frame(SWITCH_OVER, 0, new Bytes().u8(7).u64(0).toArray()), AbortReason.MALFORMED, "migration mode 7");
        assertRejected(Wire.frame(PAGE_BATCH, 0, batchHeader(5, 0, 1).u64(1).u8(0).u32(0).u32(0).toArray()),
                AbortReason.MALFORMED, "send reason 5");
        assertRejected(Wire.frame(PAGE_BATCH, 0, batchHeader(0, 0, 1).u64(1).u8(3).u32(0).u32(0).toArray()),
                AbortReason.MALFORMED, "page encoding 3");
    }

    @Test
    void anAbortWithAReasonThisVersionDoesNotKnowIsStillReported() {
        byte[] message = "from the future".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = new Bytes().u16(999).u16(message.length).bytes(message).toArray();
        try (Wire.Decoding decoding = Wire.decode(Wire.frame(ABORT, 0, body))) {
            assertThat(decoding.records()).containsExactly(new Abort(AbortReason.UNKNOWN, "from the future"));
        }
    }

    // ---- HELLO versions ----

    /** Every version but the current one: each older one, the next, and the extremes. */
    static java.util.stream.IntStream otherVersions() {
        return java.util.stream.IntStream.concat(java.util.stream.IntStream.range(0, Hello.CURRENT_VERSION),
                java.util.stream.IntStream.of(Hello.CURRENT_VERSION + 1, 0x7fff, 0xffff));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("otherVersions")
    void aHelloOfAnotherVersionIsDecodedFaithfullyForTheSessionToRefuse(int version) {
        Hello hello = new Hello(version, Role.DESTINATION, MigrationRecord.Channel.URGENT, SampleRecords.MIGRATION_ID, new byte[16]);
        try (Wire.Decoding decoding = Wire.decode(Wire.encode(hello))) {
            assertThat(decoding.errors()).isEmpty();
            Hello received = (Hello) decoding.records().getFirst();
            assertThat(received.version()).isEqualTo(version).isNotEqualTo(Hello.CURRENT_VERSION);
            assertThat(received).isEqualTo(hello);
        }
        byte[] handMade = helloBody(version, 1, 1);
        try (Wire.Decoding decoding = Wire.decode(Wire.frame(HELLO, 0, handMade))) {
            assertThat(((Hello) decoding.records().getFirst()).version()).isEqualTo(version);
        }
    }

    @Test
    void theMigrationIdTravelsMostSignificantByteFirst() {
        byte[] frame = Wire.encode(new Hello(1, Role.SOURCE, MigrationRecord.Channel.BULK, SampleRecords.MIGRATION_ID, new byte[16]));
        assertThat(Arrays.copyOfRange(frame, 12, 16)).containsExactly(0x6f, 0x1c, 0x2a, 0x3b);
    }

    // ---- PAGE_BATCH shape ----

    @ParameterizedTest
    @ValueSource(ints = {0, 257, 0xffff})
    void pageCountsOutside1To256AreMalformed(int count) {
        assertRejected(Wire.frame(PAGE_BATCH, 0, batchHeader(0, 0, count).zeros(17 * Math.min(count, 300)).toArray()),
                AbortReason.MALFORMED, "page count " + count);
    }

    @Test
    void aPageCountLargerThanTheBodyIsMalformedBeforeAnyAllocation() {
        assertRejected(Wire.frame(PAGE_BATCH, 0, batchHeader(0, 0, 256).u64(1).u8(0).u32(0).u32(0).toArray()),
                AbortReason.MALFORMED, "descriptors of 256 pages needs 4352 bytes, 17 left");
    }

    @Test
    void pageLengthsThatDoNotFitTheirEncodingAreMalformed() {
        long[][] cases = {{0, 1}, {1, 0}, {1, 4095}, {1, 4097}, {2, 0}, {2, 4097}, {2, 0xffffffffL}, {1, 0x80000000L}};
        for (long[] c : cases) {
            byte[] body = batchHeader(0, 0, 1).u64(1).u8((int) c[0]).u32(c[1]).u32(0).zeros(100).toArray();
            assertRejected(Wire.frame(PAGE_BATCH, 0, body), AbortReason.MALFORMED, "declares " + c[1] + " bytes");
        }
    }

    @Test
    void pageDataShorterOrLongerThanDeclaredIsMalformed() {
        byte[] twoRaw = batchHeader(0, 0, 2).u64(1).u8(1).u32(4096).u32(0).u64(2).u8(1).u32(4096).u32(0).toArray();
        assertRejected(Wire.frame(PAGE_BATCH, 0, Wire.concat(twoRaw, new byte[8191])), AbortReason.MALFORMED,
                "declare 8192 data bytes, the body has 8191");
        assertRejected(Wire.frame(PAGE_BATCH, 0, Wire.concat(twoRaw, new byte[8193])), AbortReason.MALFORMED,
                "declare 8192 data bytes, the body has 8193");
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, -1, -4096})
    void pageNumbersOf2To63OrMoreAreBadPages(long page) {
        assertRejected(Wire.frame(PAGE_BATCH, 0, batchHeader(0, 0, 1).u64(page).u8(0).u32(0).u32(0).toArray()),
                AbortReason.BAD_PAGE, Long.toUnsignedString(page));
        assertRejected(Wire.frame(PAGE_REQUEST, 0, new Bytes().u64(page).toArray()), AbortReason.BAD_PAGE, "page");
    }

    @Test
    void roundsBeyond2To31AreMalformed() {
        assertRejected(Wire.frame(PAGE_BATCH, 0, batchHeader(0, 0x80000000L, 1).u64(1).u8(0).u32(0).u32(0).toArray()),
                AbortReason.MALFORMED, "round 2147483648");
        assertRejected(Wire.frame(ROUND_END, 0, new Bytes().u32(0xffffffffL).u64(0).toArray()), AbortReason.MALFORMED, "round");
    }

    @Test
    void countsOf2To63OrMoreAreMalformed() {
        assertRejected(Wire.frame(ROUND_END, 0, new Bytes().u32(1).u64(-1).toArray()), AbortReason.MALFORMED, "dirty");
        assertRejected(Wire.frame(PAGES_DONE, 0, new Bytes().u64(Long.MIN_VALUE).toArray()), AbortReason.MALFORMED, "pages sent");
        assertRejected(Wire.frame(COMPLETE, 0, new Bytes().u64(-1).toArray()), AbortReason.MALFORMED, "pages received");
        assertRejected(Wire.frame(DESTINATION_STATS, 0, new Bytes().u64(1).u64(2).u64(3).u64(4).u64(5).u64(-1).u64(7).toArray()),
                AbortReason.MALFORMED, "negative destination statistics");
    }

    // ---- GUEST_CONFIG ----

    @Test
    void anImageNameOverItsLimitIsMalformed() {
        byte[] longName = new Bytes().bytes(guestConfigBody(4096, 0, "wss", 0)).u16(257).zeros(257).toArray();
        assertRejected(Wire.frame(GUEST_CONFIG, 0, longName), AbortReason.MALFORMED, "image name of 257 bytes exceeds 256");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 4095, 4097, (64L << 30) + 4096, -4096})
    void impossibleRamSizesAreMalformed(long ramBytes) {
        assertRejected(Wire.frame(GUEST_CONFIG, 0, completeGuestConfig(ramBytes, 0, "wss")), AbortReason.MALFORMED, "RAM");
    }

    @Test
    void workloadNamesMustBeShortAscii() {
        assertRejected(Wire.frame(GUEST_CONFIG, 0, completeGuestConfig(4096, 0, "x".repeat(32))), AbortReason.MALFORMED,
                "workload name of 32 bytes");
        byte[] body = new Bytes().u64(4096).u64(0).u8(0).u8(2).u8('o').u8(0xc3).u16(0).toArray();
        assertRejected(Wire.frame(GUEST_CONFIG, 0, body), AbortReason.MALFORMED, "workload is not ASCII");
    }

    @Test
    void argumentListsAreBoundedAndUnique() {
        assertRejected(Wire.frame(GUEST_CONFIG, 0, guestConfigBody(4096, 0, "wss", 0xffff)), AbortReason.MALFORMED,
                "65535 arguments needs 262140 bytes");
        byte[] duplicate = new Bytes().bytes(guestConfigBody(4096, 0, "wss", 2))
                .u16(1).u8('k').u16(1).u8('1').u16(1).u8('k').u16(1).u8('2').toArray();
        assertRejected(Wire.frame(GUEST_CONFIG, 0, duplicate), AbortReason.MALFORMED, "duplicate argument key 'k'");
        byte[] keyTooLong = new Bytes().bytes(guestConfigBody(4096, 0, "wss", 1)).u16(500).u8('k').zeros(10).toArray();
        assertRejected(Wire.frame(GUEST_CONFIG, 0, keyTooLong), AbortReason.MALFORMED, "argument key needs 500 bytes, 11 left");
    }

    // ---- strings ----

    @Test
    void messagesOver1024BytesAreMalformed() {
        byte[] long1025 = "m".repeat(1025).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertRejected(Wire.frame(ABORT, 0, new Bytes().u16(3).u16(1025).bytes(long1025).toArray()), AbortReason.MALFORMED,
                "message of 1025 bytes exceeds 1024");
        assertRejected(Wire.frame(PROGRESS_HINT, 0, new Bytes().u16(1025).bytes(long1025).toArray()), AbortReason.MALFORMED,
                "text of 1025 bytes exceeds 1024");
    }

    @Test
    void invalidUtf8IsMalformedWherever() {
        byte[][] invalid = {
            {(byte) 0x80},                                  // lone continuation byte
            {(byte) 0xc3},                                  // truncated sequence
            {(byte) 0xc3, 0x28},                            // bad continuation
            {(byte) 0xc0, (byte) 0x80},                     // overlong NUL
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80},        // encoded surrogate
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
            {(byte) 0xff},
        };
        for (byte[] bad : invalid) {
            assertRejected(Wire.frame(ABORT, 0, new Bytes().u16(3).u16(bad.length).bytes(bad).toArray()),
                    AbortReason.MALFORMED, "message is not valid UTF-8");
            assertRejected(Wire.frame(PROGRESS_HINT, 0, new Bytes().u16(bad.length).bytes(bad).toArray()),
                    AbortReason.MALFORMED, "text is not valid UTF-8");
            byte[] config = new Bytes().bytes(guestConfigBody(4096, 0, "wss", 1)).u16(1).u8('k').u16(bad.length).bytes(bad)
                    .toArray();
            assertRejected(Wire.frame(GUEST_CONFIG, 0, config), AbortReason.MALFORMED, "argument value is not valid UTF-8");
        }
    }

    // ---- SWITCH_OVER ----

    @Test
    void aPendingCountThatIsNotTheBitmapsPopulationIsMalformed() {
        assertRejected(Wire.frame(SWITCH_OVER, 0, new Bytes().u8(1).u64(3).u8(0b11).toArray()), AbortReason.MALFORMED,
                "pending count 3 but the bitmap has 2 set bits");
        assertRejected(Wire.frame(SWITCH_OVER, 0, new Bytes().u8(1).u64(-1).u8(0xff).toArray()), AbortReason.MALFORMED,
                "pending count 18446744073709551615");
    }

    // ---- retired codes ----

    @ParameterizedTest
    @ValueSource(ints = {RETIRED_CPU_STATE, RETIRED_DEVICE_STATE, RETIRED_BALLOON_MAP})
    void aVersionTwoStateRecordIsAnUnknownMandatoryRecord(int code) {
        assertRejected(Wire.frame(code, 0, new byte[16]), AbortReason.UNKNOWN_RECORD,
                String.format("0x%04x", code));
    }

    // ---- the decoder after an error ----

    @Test
    void nothingAfterTheFirstErrorReachesTheSession() {
        byte[] stream = Wire.concat(Wire.encode(new PageRequest(1)), Wire.frame(0x7777, 0, new byte[0]),
                Wire.encode(new PageRequest(2)), Wire.frame(0, 0, new byte[0]));
        try (Wire.Decoding decoding = Wire.decode(stream)) {
            assertThat(decoding.records()).containsExactly(new PageRequest(1));
            assertThat(decoding.singleError().reason()).isEqualTo(AbortReason.UNKNOWN_RECORD);
        }
    }

    // ---- helpers ----

    private static void assertRejected(byte[] stream, AbortReason reason, String detail) {
        try (Wire.Decoding decoding = Wire.decode(stream)) {
            ProtocolException error = decoding.singleError();
            assertThat(decoding.records()).as("records before the error").isEmpty();
            assertThat(error.reason()).as(error.getMessage()).isEqualTo(reason);
            assertThat(error.detail()).contains(detail);
        }
    }

    private static void assertDirectDecodeRejects(byte[] frame, String what) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(frame.length).writeBytes(frame);
        try {
            assertThatThrownBy(() -> RecordCodec.decode(buf)).as(what)
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(AbortReason.MALFORMED));
        } finally {
            buf.release();
        }
    }

    private static byte[] body(byte[] frame) {
        return Arrays.copyOfRange(frame, RecordCodec.HEADER_BYTES, frame.length);
    }

    private static byte[] helloBody(int version, int role, int channel) {
        return new Bytes().u16(version).u8(role).u8(channel).zeros(16).zeros(16).toArray();
    }

    /** The body up to and including the argument count; arguments may follow. */
    /** A whole GUEST_CONFIG body without arguments and with no image name. */
    private static byte[] completeGuestConfig(long ramBytes, int mode, String workload) {
        return new Bytes().bytes(guestConfigBody(ramBytes, mode, workload, 0)).u16(0).toArray();
    }

    /** GUEST_CONFIG up to its argument count; the arguments and the image name follow. */
    private static byte[] guestConfigBody(long ramBytes, int mode, String workload, int argCount) {
        byte[] name = workload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return new Bytes().u64(ramBytes).u64(7).u8(mode).u8(name.length).bytes(name).u16(argCount).toArray();
    }

    private static Bytes batchHeader(int reason, long round, int count) {
        return new Bytes().u8(reason).u32(round).u16(count);
    }
}
