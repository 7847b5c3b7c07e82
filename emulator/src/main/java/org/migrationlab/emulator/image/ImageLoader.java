package org.migrationlab.emulator.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses guest images: ELF64 (PT_LOAD segments) and flat binaries. Treats the file as hostile: every
 * offset and size is checked before use, and anything below the image base or overflowing is refused.
 */
public final class ImageLoader {
    /** Where flat images go and the lowest address any image may occupy (guest_abi.h). */
    public static final long IMAGE_BASE = 0x100000;
    private static final int PT_LOAD = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_X86_64 = 62;
    private static final long MAX_IMAGE_BYTES = 1L << 30;

    private ImageLoader() {
    }

    public static GuestImage load(String name, byte[] bytes, ImageFormat format) {
        if (bytes.length == 0) {
            throw new InvalidImageException(name + ": the image is empty");
        }
        boolean elfMagic = bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
        return switch (format) {
            case ELF -> elf(name, bytes);
            case FLAT -> flat(name, bytes);
            case AUTO -> {
                if (!elfMagic) {
                    throw new InvalidImageException(name + ": not an ELF image (no \\x7fELF magic); "
                            + "to load raw code at 0x100000 ask for the flat format explicitly");
                }
                yield elf(name, bytes);
            }
        };
    }

    private static GuestImage flat(String name, byte[] bytes) {
        if (bytes.length > MAX_IMAGE_BYTES) {
            throw new InvalidImageException(name + ": flat image of " + bytes.length + " bytes is too large");
        }
        return new GuestImage(name, IMAGE_BASE, List.of(new GuestImage.Segment(IMAGE_BASE, bytes, bytes.length)),
                IMAGE_BASE, IMAGE_BASE + bytes.length);
    }

    private static GuestImage elf(String name, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || in.getInt(0) != 0x464c457f) {
            throw new InvalidImageException(name + ": not an ELF image");
        }
        if (bytes[4] != 2) {
            throw new InvalidImageException(name + ": not a 64-bit ELF (class " + bytes[4] + ")");
        }
        if (bytes[5] != 1) {
            throw new InvalidImageException(name + ": not a little-endian ELF");
        }
        int type = Short.toUnsignedInt(in.getShort(16));
        int machine = Short.toUnsignedInt(in.getShort(18));
        if (machine != EM_X86_64) {
            throw new InvalidImageException(name + ": ELF for machine " + machine + ", not x86-64 (62)");
        }
        if (type != ET_EXEC) {
            throw new InvalidImageException(name + ": ELF type " + type + " is not an executable (link with -static -no-pie)");
        }
        long entry = in.getLong(24);
        long phoff = in.getLong(32);
        int phentsize = Short.toUnsignedInt(in.getShort(54));
        int phnum = Short.toUnsignedInt(in.getShort(56));
        if (phentsize < 56 || phnum == 0 || phoff < 0 || phoff > bytes.length
                || phoff + (long) phentsize * phnum > bytes.length) {
            throw new InvalidImageException(name + ": corrupt ELF program headers");
        }
        List<GuestImage.Segment> segments = new ArrayList<>();
        long start = Long.MAX_VALUE;
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (in.getInt(at) != PT_LOAD) {
                continue;
            }
            long offset = in.getLong(at + 8);
            long paddr = in.getLong(at + 24);
            long filesz = in.getLong(at + 32);
            long memsz = in.getLong(at + 40);
            if (memsz == 0) {
                continue;
            }
            if (offset < 0 || filesz < 0 || memsz < filesz || offset > bytes.length - filesz
                    || memsz > MAX_IMAGE_BYTES || paddr < IMAGE_BASE || paddr > Long.MAX_VALUE - memsz) {
                throw new InvalidImageException(name + ": PT_LOAD segment " + i + " at 0x" + Long.toHexString(paddr)
                        + " is invalid (images must lie at or above 0x" + Long.toHexString(IMAGE_BASE) + ")");
            }
            byte[] data = new byte[(int) filesz];
            System.arraycopy(bytes, (int) offset, data, 0, (int) filesz);
            segments.add(new GuestImage.Segment(paddr, data, memsz));
            start = Math.min(start, paddr);
            end = Math.max(end, paddr + memsz);
        }
        if (segments.isEmpty()) {
            throw new InvalidImageException(name + ": ELF has no PT_LOAD segments");
        }
        if (entry < start || entry >= end) {
            throw new InvalidImageException(name + ": entry point 0x" + Long.toHexString(entry) + " lies outside the image");
        }
        return new GuestImage(name, entry, segments, start, end);
    }
}
