package org.migrationlab.emulator.port;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

import org.migrationlab.emulator.cpu.CpuState;

/**
 * The binary image of a {@link GuestState}: one header, sections keyed by id and version, one checksum
 * over the whole (the shape of Firecracker's snapshot file). All integers little-endian.
 *
 * <pre>
 *  u32 magic "GSTA" | u16 format version (1) | u16 section count
 *  per section: u16 id | u16 version | u32 length | body
 *  u32 CRC32C of every byte before it
 *
 *  id 0x0001 CPU          v1: u16 register count (34), then each register u64 in {@link CpuState} order
 *  id 0x0002 BALLOON_MAP  v1: u64 page count, u64 ballooned count, ceil(pages / 8) bytes (bit p = page p)
 *  id 0x0100 + device id  a device's state, in the device's own layout of that version
 * </pre>
 *
 * Decoding checks, in order: total length, magic, checksum, format version, each section's bounds, exactly
 * one CPU and one balloon-map section, no device twice, no trailing bytes. A changed section layout
 * bumps that section's version; only a change of this frame bumps {@link #FORMAT_VERSION}.
 */
public final class GuestStateCodec {
    public static final int MAGIC = 0x41545347; // "GSTA" in little-endian byte order
    public static final int FORMAT_VERSION = 1;
    public static final int SECTION_CPU = 0x0001;
    public static final int SECTION_BALLOON_MAP = 0x0002;
    public static final int SECTION_DEVICE_BASE = 0x0100;
    /** More sections than any machine has devices: a bound for hostile input. */
    public static final int MAX_SECTIONS = 64;
    private static final int CPU_VERSION = 1;
    private static final int BALLOON_VERSION = 1;
    private static final int HEADER_BYTES = 8;
    private static final int SECTION_HEADER_BYTES = 8;
    private static final int CRC_BYTES = 4;

    private GuestStateCodec() {
    }

    public static byte[] encode(GuestState state) {
        List<byte[]> bodies = new ArrayList<>();
        List<int[]> heads = new ArrayList<>();
        bodies.add(cpuBody(state.cpu()));
        heads.add(new int[] {SECTION_CPU, CPU_VERSION});
        bodies.add(balloonBody(state.ballooned()));
        heads.add(new int[] {SECTION_BALLOON_MAP, BALLOON_VERSION});
        for (DeviceState device : state.devices()) {
            bodies.add(device.body());
            heads.add(new int[] {SECTION_DEVICE_BASE + device.deviceId(), device.version()});
        }
        int size = HEADER_BYTES + CRC_BYTES;
        for (byte[] body : bodies) {
            size = Math.addExact(size, SECTION_HEADER_BYTES + body.length);
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) bodies.size());
        for (int i = 0; i < bodies.size(); i++) {
            out.putShort((short) heads.get(i)[0]).putShort((short) heads.get(i)[1]).putInt(bodies.get(i).length)
                    .put(bodies.get(i));
        }
        out.putInt(crc(out.array(), out.position()));
        return out.array();
    }

    /** Decodes and checks an image; {@link InvalidGuestStateException} (MALFORMED) names what is wrong. */
    public static GuestState decode(byte[] image) {
        if (image.length < HEADER_BYTES + CRC_BYTES) {
            throw malformed("guest state of " + image.length + " bytes is shorter than its header");
        }
        ByteBuffer in = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw malformed("bad guest state magic 0x" + Integer.toHexString(magic));
        }
        int crcAt = image.length - CRC_BYTES;
        if (ByteBuffer.wrap(image, crcAt, CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt() != crc(image, crcAt)) {
            throw malformed("guest state checksum mismatch");
        }
        int version = Short.toUnsignedInt(in.getShort());
        if (version != FORMAT_VERSION) {
            throw malformed("guest state format version " + version + " unsupported (accepts " + FORMAT_VERSION + ")");
        }
        int sections = Short.toUnsignedInt(in.getShort());
        if (sections > MAX_SECTIONS) {
            throw malformed("guest state with " + sections + " sections (at most " + MAX_SECTIONS + ")");
        }
        CpuState cpu = null;
        PageBitmap ballooned = null;
        List<DeviceState> devices = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        try {
            for (int i = 0; i < sections; i++) {
                int id = Short.toUnsignedInt(in.getShort());
                int sectionVersion = Short.toUnsignedInt(in.getShort());
                int length = in.getInt();
                if (length < 0 || length > crcAt - in.position()) {
                    throw malformed("section 0x" + Integer.toHexString(id) + " of " + Integer.toUnsignedString(length)
                            + " bytes overruns the guest state");
                }
                if (!seen.add(id)) {
                    throw malformed("section 0x" + Integer.toHexString(id) + " appears twice");
                }
                ByteBuffer body = in.slice(in.position(), length).order(ByteOrder.LITTLE_ENDIAN);
                in.position(in.position() + length);
                if (id == SECTION_CPU) {
                    cpu = cpu(body, sectionVersion);
                } else if (id == SECTION_BALLOON_MAP) {
                    ballooned = balloon(body, sectionVersion);
                } else if (id >= SECTION_DEVICE_BASE && id - SECTION_DEVICE_BASE <= 0xff && sectionVersion >= 1) {
                    byte[] bytes = new byte[length];
                    body.get(bytes);
                    devices.add(new DeviceState(id - SECTION_DEVICE_BASE, sectionVersion, bytes));
                } else {
                    throw malformed("unknown section 0x" + Integer.toHexString(id) + " v" + sectionVersion);
                }
            }
        } catch (BufferUnderflowException e) {
            throw malformed("guest state is truncated");
        }
        if (in.position() != crcAt) {
            throw malformed("guest state has " + (crcAt - in.position()) + " bytes after its last section");
        }
        if (cpu == null || ballooned == null) {
            throw malformed("guest state without " + (cpu == null ? "a CPU section" : "a balloon map"));
        }
        return new GuestState(cpu, devices, ballooned);
    }

    private static byte[] cpuBody(CpuState cpu) {
        long[] registers = cpu.toArray();
        ByteBuffer out = ByteBuffer.allocate(2 + registers.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) registers.length);
        for (long register : registers) {
            out.putLong(register);
        }
        return out.array();
    }

    private static CpuState cpu(ByteBuffer body, int version) {
        if (version != CPU_VERSION) {
            throw malformed("CPU section version " + version + " unsupported (accepts " + CPU_VERSION + ")");
        }
        int count = Short.toUnsignedInt(body.getShort());
        if (count != CpuState.FIELD_COUNT || body.remaining() != count * 8) {
            throw malformed("CPU section with " + count + " registers in " + (body.remaining() + 2) + " bytes");
        }
        long[] registers = new long[count];
        for (int i = 0; i < count; i++) {
            registers[i] = body.getLong();
        }
        return CpuState.fromArray(registers);
    }

    private static byte[] balloonBody(PageBitmap pages) {
        byte[] bitmap = pages.toByteArray();
        return ByteBuffer.allocate(16 + bitmap.length).order(ByteOrder.LITTLE_ENDIAN).putLong(pages.pageCount())
                .putLong(pages.cardinality()).put(bitmap).array();
    }

    private static PageBitmap balloon(ByteBuffer body, int version) {
        if (version != BALLOON_VERSION) {
            throw malformed("balloon map version " + version + " unsupported (accepts " + BALLOON_VERSION + ")");
        }
        long pageCount = body.getLong();
        long count = body.getLong();
        if (pageCount < 0 || (pageCount + 7) >>> 3 != body.remaining()) {
            throw malformed("balloon map of " + body.remaining() + " bytes for " + pageCount + " pages");
        }
        byte[] bitmap = new byte[body.remaining()];
        body.get(bitmap);
        PageBitmap pages;
        try {
            pages = PageBitmap.fromByteArray(bitmap, pageCount);
        } catch (IllegalArgumentException e) {
            throw malformed("balloon map: " + e.getMessage());
        }
        if (pages.cardinality() != count) {
            throw malformed("balloon map counts " + count + " pages but marks " + pages.cardinality());
        }
        return pages;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static InvalidGuestStateException malformed(String message) {
        return new InvalidGuestStateException(InvalidGuestStateException.Kind.MALFORMED, message);
    }
}
