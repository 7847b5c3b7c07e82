package org.migrationlab.migration.protocol;

import org.migrationlab.emulator.memory.GuestMemory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import org.migrationlab.migration.protocol.MigrationRecord.Abort;
import org.migrationlab.migration.protocol.MigrationRecord.Auth;
import org.migrationlab.migration.protocol.MigrationRecord.Channel;
import org.migrationlab.migration.protocol.MigrationRecord.Complete;
import org.migrationlab.migration.protocol.MigrationRecord.DestinationStats;
import org.migrationlab.migration.protocol.MigrationRecord.FaultStages;
import org.migrationlab.migration.protocol.MigrationRecord.GuestStateRecord;
import org.migrationlab.migration.protocol.MigrationRecord.GuestConfig;
import org.migrationlab.migration.protocol.MigrationRecord.Heartbeat;
import org.migrationlab.migration.protocol.MigrationRecord.Ready;
import org.migrationlab.migration.protocol.MigrationRecord.Recover;
import org.migrationlab.migration.protocol.MigrationRecord.Recovered;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;
import org.migrationlab.migration.protocol.MigrationRecord.PageRequest;
import org.migrationlab.migration.protocol.MigrationRecord.PagesDone;
import org.migrationlab.migration.protocol.MigrationRecord.ProgressHint;
import org.migrationlab.migration.protocol.MigrationRecord.Resumed;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.MigrationRecord.RoundEnd;
import org.migrationlab.migration.protocol.MigrationRecord.SwitchOver;

/**
 * Frames ↔ records (PROTOCOL §2, §4): pure functions, no channel state. Little-endian throughout
 * (the migration id is 16 bytes in RFC 9562 order).
 *
 * <p>Ownership: {@link #encode} never consumes or releases its record; for a {@code PAGE_BATCH} the
 * returned frame shares the batch's data (a retained slice), so the caller may release the batch at
 * once. {@link #decode} reads the frame but never releases it; a decoded {@code PageBatch} owns one
 * retained slice of the frame's data region, released by whoever consumes the batch.
 *
 * <p>Decoding checks every count and length against the bytes left before it allocates or slices,
 * and a body must be consumed exactly. Page CRCs are carried, not verified: {@link PageCodec} does
 * that against the decompressed page.
 */
public final class RecordCodec {
    public static final int HEADER_BYTES = 8;
    public static final int LENGTH_FIELD_OFFSET = 4;
    public static final int MAX_FRAME_BODY = 4 << 20;
    /**
     * The largest body a peer may send before it has proved the shared secret (PROTOCOL §2): HELLO, AUTH
     * and a short ABORT fit; nothing larger is buffered for a peer nobody has authenticated.
     */
    public static final int MAX_FRAME_BODY_BEFORE_AUTH = 256;
    /** Flag of a frame whose body is encrypted and followed by a sequence number and tag (PROTOCOL §2, §3.2). */
    public static final int FLAG_SEALED = 0x0001;
    /** The seal after a sealed frame's body: sequence number u64 and the AES-GCM tag. */
    public static final int SEAL_BYTES = 8 + 16;
    public static final int MAX_WORKLOAD_BYTES = 31;
    /** reason u8, round u32, count u16. */
    public static final int PAGE_BATCH_FIXED_BYTES = 7;
    /** page u64, encoding u8, length u32, CRC32C u32. */
    public static final int PAGE_DESCRIPTOR_BYTES = 17;

    private static final int HELLO_BODY_BYTES = 2 + 1 + 1 + 16 + MigrationRecord.NONCE_BYTES;

    private RecordCodec() {
    }

    /** What one frame decoded to. */
    public sealed interface Decoded {
        /** A record this version knows. */
        record Known(MigrationRecord record) implements Decoded {
        }

        /** An optional record of a type this version does not know: skipped, to be counted. */
        record SkippedOptional(int typeCode, int bodyBytes) implements Decoded {
        }
    }

    /**
     * The whole frame (header and body) of {@code record}, owned by the caller. A page batch's data is
     * not copied: the frame is a composite of the header and a retained slice of the data.
     *
     * @throws IllegalArgumentException if the record cannot be represented (body over
     *     {@link #MAX_FRAME_BODY}, a string over its length field, a pending count that is not the
     *     bitmap's population)
     */
    public static ByteBuf encode(MigrationRecord record, ByteBufAllocator alloc) {
        ByteBuf head = alloc.buffer(HEADER_BYTES + bodySizeHint(record));
        try {
            head.writeShortLE(record.type().code()).writeShortLE(0).writeIntLE(0);
            writeBody(record, head);
            long bodyBytes = head.readableBytes() - HEADER_BYTES;
            ByteBuf data = record instanceof PageBatch batch ? batch.data() : null;
            if (data != null) {
                bodyBytes += data.readableBytes();
            }
            if (bodyBytes > MAX_FRAME_BODY) {
                throw new IllegalArgumentException(record.type() + " body of " + bodyBytes
                        + " bytes exceeds " + MAX_FRAME_BODY);
            }
            head.setIntLE(LENGTH_FIELD_OFFSET, (int) bodyBytes);
            if (data == null || !data.isReadable()) {
                return head;
            }
            ByteBuf slice = data.retainedSlice();
            CompositeByteBuf frame;
            try {
                frame = alloc.compositeBuffer(2);
            } catch (RuntimeException | Error e) {
                slice.release();
                throw e;
            }
            return frame.addComponents(true, head, slice); // takes both references
        } catch (RuntimeException | Error e) {
            head.release();
            throw e;
        }
    }

    /**
     * Decodes one whole frame ({@code frame}'s readable bytes are exactly header and body: the seal of a
     * sealed frame has been checked and cut off by the transport). Does not release {@code frame}.
     *
     * @throws ProtocolException {@code UNKNOWN_RECORD} for an unknown mandatory type, {@code BAD_PAGE}
     *     for a page number of 2^63 or more, {@code MALFORMED} for anything else out of shape
     */
    public static Decoded decode(ByteBuf frame) {
        int frameBytes = frame.readableBytes();
        if (frameBytes < HEADER_BYTES) {
            throw malformed("frame of " + frameBytes + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        int typeCode = frame.readUnsignedShortLE();
        int flags = frame.readUnsignedShortLE();
        long bodyBytes = frame.readUnsignedIntLE();
        if (typeCode == 0) {
            throw malformed("record type 0 is invalid");
        }
        if ((flags & ~FLAG_SEALED) != 0) {
            throw malformed(String.format("flags 0x%04x on record type 0x%04x (only 0x%04x, sealed, is defined)", flags,
                    typeCode, FLAG_SEALED));
        }
        if (bodyBytes > MAX_FRAME_BODY) {
            throw malformed("body of " + bodyBytes + " bytes exceeds " + MAX_FRAME_BODY);
        }
        if (bodyBytes != frame.readableBytes()) {
            throw malformed("header declares a body of " + bodyBytes + " bytes, the frame carries "
                    + frame.readableBytes());
        }
        RecordType type = RecordType.ofCode(typeCode);
        if (type == null) {
            if ((typeCode & RecordType.OPTIONAL_BIT) != 0) {
                frame.skipBytes((int) bodyBytes);
                return new Decoded.SkippedOptional(typeCode, (int) bodyBytes);
            }
            throw new ProtocolException(AbortReason.UNKNOWN_RECORD, String.format("mandatory record type 0x%04x", typeCode));
        }
        BodyReader body = new BodyReader(frame, type, (int) bodyBytes);
        MigrationRecord record = readBody(type, body);
        try {
            body.requireConsumed();
        } catch (ProtocolException e) {
            if (record instanceof PageBatch batch) {
                batch.release();
            }
            throw e;
        }
        return new Decoded.Known(record);
    }

    // ---- encoding ----

    private static void writeBody(MigrationRecord record, ByteBuf out) {
        switch (record) {
            case Hello h -> {
                out.writeShortLE(h.version());
                out.writeByte(roleCode(h.role()));
                out.writeByte(channelCode(h.channel()));
                out.writeLong(h.migrationId().getMostSignificantBits());
                out.writeLong(h.migrationId().getLeastSignificantBits());
                out.writeBytes(h.nonce());
            }
            case Auth a -> out.writeBytes(a.mac());
            case GuestConfig g -> {
                out.writeLongLE(g.ramBytes());
                out.writeLongLE(g.seed());
                out.writeByte(g.mode().code());
                byte[] workload = g.workload().getBytes(StandardCharsets.US_ASCII);
                out.writeByte(workload.length);
                out.writeBytes(workload);
                if (g.args().size() > 0xffff) {
                    throw new IllegalArgumentException(g.args().size() + " guest arguments exceed 65535");
                }
                out.writeShortLE(g.args().size());
                for (Map.Entry<String, String> arg : g.args().entrySet()) {
                    writeString16(out, arg.getKey(), 0xffff, "argument key");
                    writeString16(out, arg.getValue(), 0xffff, "argument value");
                }
                writeString16(out, g.image(), GuestConfig.MAX_IMAGE_BYTES, "image name");
            }
            case PageBatch b -> {
                out.writeByte(b.reason().code());
                out.writeIntLE(b.round());
                out.writeShortLE(b.count());
                long[] pages = b.pageNumbers();
                PageEncoding[] encodings = b.encodings();
                int[] lengths = b.lengths();
                int[] crcs = b.crcs();
                for (int i = 0; i < pages.length; i++) {
                    out.writeLongLE(pages[i]);
                    out.writeByte(encodings[i].code());
                    out.writeIntLE(lengths[i]);
                    out.writeIntLE(crcs[i]);
                }
            }
            case RoundEnd r -> out.writeIntLE(r.round()).writeLongLE(r.dirtyPages());
            case GuestStateRecord g -> out.writeBytes(g.image());
            case SwitchOver s -> {
                out.writeByte(s.mode().code());
                writeCountedBitmap(out, s.pendingCount(), s.pendingBitmap(), "pending count");
            }
            case Resumed r -> out.writeLongLE(r.receiveNanos()).writeLongLE(r.restoreNanos())
                    .writeLongLE(r.resumeNanos());
            case PageRequest p -> out.writeLongLE(p.pageNumber());
            case PagesDone p -> out.writeLongLE(p.pagesSent());
            case Complete c -> out.writeLongLE(c.pagesReceived());
            case Abort a -> {
                out.writeShortLE(a.reason().code());
                writeString16(out, a.message(), MigrationRecord.MAX_MESSAGE_BYTES, "abort message");
            }
            case ProgressHint p -> writeString16(out, p.text(), MigrationRecord.MAX_MESSAGE_BYTES, "progress hint");
            case DestinationStats d -> out.writeLongLE(d.networkFaults()).writeLongLE(d.minorFaults())
                    .writeLongLE(d.requests()).writeLongLE(d.latencyP50Nanos()).writeLongLE(d.latencyP90Nanos())
                    .writeLongLE(d.latencyP99Nanos()).writeLongLE(d.latencyMaxNanos());
            case FaultStages f -> {
                out.writeLongLE(f.sampled());
                for (FaultStages.Stage stage : List.of(f.request(), f.roundTrip(), f.install(), f.resume())) {
                    out.writeLongLE(stage.p50Nanos()).writeLongLE(stage.p99Nanos());
                }
            }
            case Heartbeat _, Ready _ -> {
                // empty body
            }
            case Recover r -> out.writeIntLE(r.epoch());
            case Recovered r -> {
                out.writeIntLE(r.epoch());
                writeCountedBitmap(out, r.receivedCount(), r.receivedBitmap(), "received count");
            }
        }
    }

    /** A page count u64 and the bitmap with exactly that many bits set (SWITCH_OVER). */
    private static void writeCountedBitmap(ByteBuf out, long count, byte[] bitmap, String field) {
        if (populationCount(bitmap) != count) {
            throw new IllegalArgumentException(field + " " + count + " differs from the bitmap's "
                    + populationCount(bitmap) + " set bits");
        }
        out.writeLongLE(count);
        out.writeBytes(bitmap);
    }

    private static void writeString16(ByteBuf out, String text, int maxBytes, String field) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException(field + " of " + bytes.length + " UTF-8 bytes exceeds " + maxBytes);
        }
        out.writeShortLE(bytes.length);
        out.writeBytes(bytes);
    }

    private static int bodySizeHint(MigrationRecord record) {
        return switch (record) {
            case Hello _ -> HELLO_BODY_BYTES;
            case Auth _ -> MigrationRecord.MAC_BYTES;
            case GuestConfig g -> 66 + 32 * g.args().size() + g.image().length();
            case PageBatch b -> PAGE_BATCH_FIXED_BYTES + PAGE_DESCRIPTOR_BYTES * b.count();
            case RoundEnd _ -> 12;
            case GuestStateRecord g -> g.image().length;
            case SwitchOver _ -> 9 + 64;
            case Resumed _ -> 24;
            case PageRequest _ -> 8;
            case PagesDone _ -> 8;
            case Complete _ -> 8;
            case Abort a -> 4 + a.message().length();
            case ProgressHint p -> 2 + p.text().length();
            case DestinationStats _ -> 56;
            case FaultStages _ -> 72;
            case Heartbeat _, Ready _ -> 0;
            case Recover _ -> 4;
            case Recovered r -> 12 + r.receivedBitmap().length;
        };
    }

    private static int roleCode(Role role) {
        return switch (role) {
            case SOURCE -> 0;
            case DESTINATION -> 1;
        };
    }

    private static int channelCode(Channel channel) {
        return switch (channel) {
            case BULK -> 0;
            case URGENT -> 1;
        };
    }

    // ---- decoding ----

    private static MigrationRecord readBody(RecordType type, BodyReader body) {
        return switch (type) {
            case HELLO -> readHello(body);
            case AUTH -> new Auth(body.bytes(MigrationRecord.MAC_BYTES, "MAC"));
            case GUEST_CONFIG -> readGuestConfig(body);
            case PAGE_BATCH -> readPageBatch(body);
            case ROUND_END -> new RoundEnd(body.u32AsInt("round"), body.u64("dirty pages"));
            case GUEST_STATE -> new GuestStateRecord(body.rest());
            case SWITCH_OVER -> readSwitchOver(body);
            case RESUMED -> new Resumed(body.u64("receive time"), body.u64("restore time"), body.u64("resume time"));
            case PAGE_REQUEST -> new PageRequest(body.u64("page"));
            case PAGES_DONE -> new PagesDone(body.u64("pages sent"));
            case COMPLETE -> new Complete(body.u64("pages received"));
            case ABORT -> {
                AbortReason reason = AbortReason.ofCode(body.u16("reason")); // unknown codes stay reportable
                yield new Abort(reason, readString16(body, MigrationRecord.MAX_MESSAGE_BYTES, "message"));
            }
            case PROGRESS_HINT -> new ProgressHint(readString16(body, MigrationRecord.MAX_MESSAGE_BYTES, "text"));
            case DESTINATION_STATS -> new DestinationStats(body.u64("network faults"), body.u64("minor faults"),
                    body.u64("requests"), body.u64("latency p50"), body.u64("latency p90"), body.u64("latency p99"),
                    body.u64("latency max"));
            case FAULT_STAGES -> new FaultStages(body.u64("sampled faults"),
                    new FaultStages.Stage(body.u64("request p50"), body.u64("request p99")),
                    new FaultStages.Stage(body.u64("round trip p50"), body.u64("round trip p99")),
                    new FaultStages.Stage(body.u64("install p50"), body.u64("install p99")),
                    new FaultStages.Stage(body.u64("resume p50"), body.u64("resume p99")));
            case HEARTBEAT -> new Heartbeat();
            case READY -> new Ready();
            case RECOVER -> new Recover(body.u32AsInt("epoch"));
            case RECOVERED -> {
                int epoch = body.u32AsInt("epoch");
                long count = body.u64("received count");
                yield new Recovered(epoch, count, countedBitmap(body, count, "received count"));
            }
        };
    }

    private static Hello readHello(BodyReader body) {
        body.need(HELLO_BODY_BYTES, "HELLO body");
        int version = body.u16("version");
        int role = body.u8("role");
        int channel = body.u8("channel");
        Role decodedRole = switch (role) {
            case 0 -> Role.SOURCE;
            case 1 -> Role.DESTINATION;
            default -> throw body.malformed("unknown role " + role);
        };
        Channel decodedChannel = switch (channel) {
            case 0 -> Channel.BULK;
            case 1 -> Channel.URGENT;
            default -> throw body.malformed("unknown channel " + channel);
        };
        return new Hello(version, decodedRole, decodedChannel, body.uuid("migration id"),
                body.bytes(MigrationRecord.NONCE_BYTES, "nonce"));
    }

    private static GuestConfig readGuestConfig(BodyReader body) {
        long ramBytes = body.u64("RAM bytes");
        long seed = body.u64("seed");
        MigrationMode mode = MigrationMode.ofCode(body.u8("mode"));
        int workloadBytes = body.u8("workload length");
        if (workloadBytes > MAX_WORKLOAD_BYTES) {
            throw body.malformed("workload name of " + workloadBytes + " bytes exceeds " + MAX_WORKLOAD_BYTES);
        }
        String workload = body.ascii(workloadBytes, "workload");
        int argCount = body.u16("argument count");
        body.need(4L * argCount, argCount + " arguments"); // two u16 lengths each, at least
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argCount; i++) {
            String key = readString16(body, 0xffff, "argument key");
            String value = readString16(body, 0xffff, "argument value");
            if (args.putIfAbsent(key, value) != null) {
                throw body.malformed("duplicate argument key '" + key + "'");
            }
        }
        String image = readString16(body, GuestConfig.MAX_IMAGE_BYTES, "image name");
        return new GuestConfig(ramBytes, seed, mode, workload, args, image);
    }

    private static PageBatch readPageBatch(BodyReader body) {
        SendReason reason = SendReason.ofCode(body.u8("reason"));
        int round = body.u32AsInt("round");
        int count = body.u16("page count");
        if (count < 1 || count > MigrationRecord.MAX_PAGES_PER_BATCH) {
            throw body.malformed("page count " + count + " outside 1.." + MigrationRecord.MAX_PAGES_PER_BATCH);
        }
        body.need((long) PAGE_DESCRIPTOR_BYTES * count, "descriptors of " + count + " pages");
        long[] pages = new long[count];
        PageEncoding[] encodings = new PageEncoding[count];
        int[] lengths = new int[count];
        int[] crcs = new int[count];
        long dataBytes = 0;
        for (int i = 0; i < count; i++) {
            pages[i] = body.u64("page");
            if (pages[i] < 0) {
                throw new ProtocolException(AbortReason.BAD_PAGE, "PAGE_BATCH: page " + Long.toUnsignedString(pages[i]));
            }
            encodings[i] = PageEncoding.ofCode(body.u8("encoding"));
            long length = body.u32("length");
            boolean fits = switch (encodings[i]) {
                case ZERO -> length == 0;
                case RAW -> length == GuestMemory.PAGE_SIZE;
                case DEFLATE -> length >= 1 && length <= GuestMemory.PAGE_SIZE;
            };
            if (!fits) {
                throw body.malformed(encodings[i] + " page " + pages[i] + " declares " + length + " bytes");
            }
            lengths[i] = (int) length;
            crcs[i] = (int) body.u32("CRC32C");
            dataBytes += length;
        }
        if (dataBytes != body.remaining()) {
            throw body.malformed("descriptors declare " + dataBytes + " data bytes, the body has " + body.remaining());
        }
        ByteBuf data = body.retainedSlice((int) dataBytes, "page data");
        try {
            return new PageBatch(reason, round, pages, encodings, lengths, crcs, data);
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
    }

    private static SwitchOver readSwitchOver(BodyReader body) {
        MigrationMode mode = MigrationMode.ofCode(body.u8("mode"));
        long pendingCount = body.u64("pending count");
        return new SwitchOver(mode, pendingCount, countedBitmap(body, pendingCount, "pending count"));
    }

    /** The rest of the body as a page bitmap, which must have exactly {@code count} bits set. */
    private static byte[] countedBitmap(BodyReader body, long count, String field) {
        byte[] bitmap = body.rest();
        long setBits = populationCount(bitmap);
        if (setBits != count) {
            throw body.malformed(field + " " + Long.toUnsignedString(count) + " but the bitmap has " + setBits
                    + " set bits");
        }
        return bitmap;
    }

    private static String readString16(BodyReader body, int maxBytes, String field) {
        int length = body.u16(field + " length");
        if (length > maxBytes) {
            throw body.malformed(field + " of " + length + " bytes exceeds " + maxBytes);
        }
        return body.utf8(length, field);
    }

    private static long populationCount(byte[] bitmap) {
        long bits = 0;
        for (byte b : bitmap) {
            bits += Integer.bitCount(b & 0xff);
        }
        return bits;
    }

    private static ProtocolException malformed(String detail) {
        return new ProtocolException(AbortReason.MALFORMED, detail);
    }
}
