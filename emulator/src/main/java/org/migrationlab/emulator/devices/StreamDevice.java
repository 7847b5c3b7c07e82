package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

import java.util.zip.CRC32C;

/**
 * Port 0xE5: the sink of the {@code stream} workload (a NetPerf-like producer). Counts the bytes it
 * receives and keeps their CRC32C, which the guest independently reports as its result.
 */
public final class StreamDevice implements Device {
    public static final int MAX_SEND = 1 << 20;
    private long bytes;
    private long chunks;
    private int crcRegister = ~0; // reflected CRC32C register, so the state can be saved and restored

    @Override
    public int port() {
        return Ports.STREAM;
    }

    @Override
    public String name() {
        return "stream";
    }

    public long bytes() {
        return bytes;
    }

    public long chunks() {
        return chunks;
    }

    /** CRC32C of everything received so far. */
    public long crc32c() {
        return Integer.toUnsignedLong(~crcRegister);
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        if (operation != 0) {
            throw new BadHypercallException("stream: unknown operation " + operation);
        }
        long length = call.arg1();
        if (length < 0 || length > MAX_SEND) {
            throw new BadHypercallException("stream: send of " + length + " bytes (max " + MAX_SEND + ")");
        }
        byte[] data = call.readGuest(call.arg0(), (int) length);
        crcRegister = Crc32cRegister.update(crcRegister, data);
        bytes += length;
        chunks++;
        call.result(length);
        return HypercallOutcome.CONTINUE;
    }

    @Override
    public DeviceState save() {
        return new StateWriter(port(), 1).writeLong(bytes).writeLong(chunks).writeInt(crcRegister).toState();
    }

    @Override
    public Runnable prepareRestore(DeviceState state) {
        StateReader in = new StateReader(state, name(), 1);
        long b = in.readLong();
        long c = in.readLong();
        int crc = in.readInt();
        in.expectEnd();
        if (b < 0 || c < 0 || b > c * MAX_SEND) {
            throw new IllegalArgumentException("stream state: " + b + " bytes in " + c + " sends");
        }
        return () -> {
            bytes = b;
            chunks = c;
            crcRegister = crc;
        };
    }

    /** A resumable CRC32C: java.util.zip.CRC32C cannot be restored from a saved value. */
    static final class Crc32cRegister {
        private static final int[] TABLE = new int[256];

        static {
            for (int i = 0; i < 256; i++) {
                int c = i;
                for (int k = 0; k < 8; k++) {
                    c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
                }
                TABLE[i] = c;
            }
        }

        private Crc32cRegister() {
        }

        static int update(int register, byte[] data) {
            int c = register;
            for (byte b : data) {
                c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
            }
            return c;
        }

        static long checksum(byte[] data) {
            CRC32C crc = new CRC32C();
            crc.update(data);
            return crc.getValue();
        }
    }
}
