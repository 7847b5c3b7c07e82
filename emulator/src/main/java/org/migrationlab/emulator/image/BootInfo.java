package org.migrationlab.emulator.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The boot-info page of guest_abi.h, built for one machine and image. Offsets are ABI. */
public record BootInfo(long ramBytes, long imageStart, long imageEnd, long stackTop, long freeStart, BootArgs args) {
    public static final long GPA = 0x1000;
    public static final long STACK_TOP = 0x80000;
    public static final long MAGIC = 0x31544f4f42424c4dL; // "MLBBOOT1"
    public static final int ABI_VERSION = 1;
    public static final int SIZE = 104 + BootArgs.ARGS_MAX;

    public static BootInfo forImage(long ramBytes, GuestImage image, BootArgs args) {
        long freeStart = (image.end() + 4095) & ~4095L;
        return new BootInfo(ramBytes, image.start(), image.end(), STACK_TOP, freeStart, args);
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(MAGIC).putInt(ABI_VERSION).putInt(SIZE);
        out.putLong(ramBytes).putLong(imageStart).putLong(imageEnd).putLong(stackTop).putLong(freeStart);
        out.putLong(args.seed());
        byte[] name = args.workload().getBytes(StandardCharsets.US_ASCII);
        out.put(name).put(new byte[32 - name.length]);
        byte[] encoded = args.encodedArgs();
        out.putInt(encoded.length).putInt(0);
        out.put(encoded);
        return out.array();
    }
}
