package org.migrationlab.emulator.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Stable binary encoding of {@link CpuState}: magic "CPUS" (u32), version (u16), field count (u16),
 * the registers as u64 little-endian in record order, CRC32C (u32) of everything before it.
 * Version 1 has 34 fields. Decoding validates magic, version, count, length and CRC.
 */
public final class CpuStateCodec {
    public static final int MAGIC = 0x53555043; // "CPUS" little-endian
    public static final int VERSION = 1;
    public static final int ENCODED_BYTES = 4 + 2 + 2 + CpuState.FIELD_COUNT * 8 + 4;

    private CpuStateCodec() {
    }

    public static byte[] encode(CpuState state) {
        ByteBuffer out = ByteBuffer.allocate(ENCODED_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putShort((short) VERSION).putShort((short) CpuState.FIELD_COUNT);
        for (long value : state.toArray()) {
            out.putLong(value);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    public static CpuState decode(byte[] bytes) {
        if (bytes.length != ENCODED_BYTES) {
            throw new InvalidCpuStateException("CPU state must be " + ENCODED_BYTES + " bytes, got " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new InvalidCpuStateException("bad CPU state magic 0x" + Integer.toHexString(magic));
        }
        int version = Short.toUnsignedInt(in.getShort());
        if (version != VERSION) {
            throw new InvalidCpuStateException("CPU state version " + version + " unsupported (accepts " + VERSION + ")");
        }
        int count = Short.toUnsignedInt(in.getShort());
        if (count != CpuState.FIELD_COUNT) {
            throw new InvalidCpuStateException("CPU state has " + count + " fields, expected " + CpuState.FIELD_COUNT);
        }
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.getLong();
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, in.position());
        int expected = in.getInt();
        if (expected != (int) crc.getValue()) {
            throw new InvalidCpuStateException("CPU state CRC mismatch");
        }
        return CpuState.fromArray(values);
    }
}
