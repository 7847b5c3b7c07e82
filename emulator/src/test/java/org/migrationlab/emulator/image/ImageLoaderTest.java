package org.migrationlab.emulator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;

class ImageLoaderTest {
    /** A minimal ELF64 x86-64 executable with one PT_LOAD of {@code code} at {@code vaddr}. */
    static byte[] elf(long vaddr, byte[] code, long memsz, long entry) {
        ByteBuffer b = ByteBuffer.allocate(120 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0);
        b.putShort((short) 2).putShort((short) 62).putInt(1).putLong(entry).putLong(64).putLong(0);
        b.putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 64)
                .putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(120).putLong(vaddr).putLong(vaddr).putLong(code.length).putLong(memsz)
                .putLong(4096);
        b.put(code);
        return b.array();
    }

    @Test
    void loadsElfSegmentsAndEntry() {
        GuestImage image = ImageLoader.load("t", elf(0x100000, new byte[] {1, 2, 3}, 0x2000, 0x100001), ImageFormat.AUTO);
        assertThat(image.entry()).isEqualTo(0x100001);
        assertThat(image.start()).isEqualTo(0x100000);
        assertThat(image.end()).isEqualTo(0x102000);
        assertThat(image.segments()).singleElement().satisfies(s -> assertThat(s.data()).containsExactly(1, 2, 3));
    }

    @Test
    void flatImagesLoadAtTheImageBaseOnlyWhenAskedFor() {
        byte[] code = {(byte) 0x90, (byte) 0xf4};
        GuestImage image = ImageLoader.load("code.bin", code, ImageFormat.FLAT);
        assertThat(image.entry()).isEqualTo(ImageLoader.IMAGE_BASE);
        assertThatThrownBy(() -> ImageLoader.load("code.bin", code, ImageFormat.AUTO))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("not an ELF").hasMessageContaining("flat");
    }

    @Test
    void rejectsHostileElfHeaders() {
        byte[] good = elf(0x100000, new byte[] {1}, 1, 0x100000);
        assertThatThrownBy(() -> ImageLoader.load("e", new byte[0], ImageFormat.AUTO)).hasMessageContaining("empty");
        byte[] elf32 = good.clone();
        elf32[4] = 1;
        assertThatThrownBy(() -> ImageLoader.load("e", elf32, ImageFormat.ELF)).hasMessageContaining("64-bit");
        byte[] arm = good.clone();
        arm[18] = (byte) 183;
        assertThatThrownBy(() -> ImageLoader.load("e", arm, ImageFormat.ELF)).hasMessageContaining("x86-64");
        byte[] shared = good.clone();
        shared[16] = 3;
        assertThatThrownBy(() -> ImageLoader.load("e", shared, ImageFormat.ELF)).hasMessageContaining("not an executable");
        byte[] truncated = java.util.Arrays.copyOf(good, 100);
        assertThatThrownBy(() -> ImageLoader.load("e", truncated, ImageFormat.ELF)).isInstanceOf(InvalidImageException.class);
        assertThatThrownBy(() -> ImageLoader.load("e", elf(0x1000, new byte[] {1}, 1, 0x1000), ImageFormat.ELF))
                .hasMessageContaining("at or above 0x100000");
        assertThatThrownBy(() -> ImageLoader.load("e", elf(0x100000, new byte[] {1}, 1, 0x900000), ImageFormat.ELF))
                .hasMessageContaining("entry point");
        byte[] hugeFile = elf(0x100000, new byte[] {1}, 1, 0x100000);
        ByteBuffer.wrap(hugeFile).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 32, Long.MAX_VALUE); // p_filesz
        assertThatThrownBy(() -> ImageLoader.load("e", hugeFile, ImageFormat.ELF)).isInstanceOf(InvalidImageException.class);
    }

    @Test
    void randomBytesNeverLoadAsElf() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] good = elf(0x100000, new byte[] {1, 2, 3, 4}, 64, 0x100000);
            good[random.nextInt(good.length)] = (byte) random.nextInt();
            good[random.nextInt(good.length)] = (byte) random.nextInt();
            try {
                GuestImage image = ImageLoader.load("m", good, ImageFormat.AUTO);
                assertThat(image.start()).isGreaterThanOrEqualTo(ImageLoader.IMAGE_BASE);
                assertThat(image.entry()).isBetween(image.start(), image.end() - 1);
            } catch (InvalidImageException expected) {
                assertThat(expected.getMessage()).startsWith("m: ");
            }
        }
    }

    @Test
    void imageLargerThanRamIsRefusedBeforeAnythingRuns() {
        GuestImage big = ImageLoader.load("big", elf(0x100000, new byte[] {1}, 8L << 20, 0x100000), ImageFormat.ELF);
        assertThatThrownBy(() -> Machine.boot(MachineConfig.of(4L << 20, new BootArgs("", Map.of(), 0)), big))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("only 4194304 bytes");
    }

    @Test
    void bootArgsAreValidated() {
        assertThatThrownBy(() -> new BootArgs("bad name", Map.of(), 0)).hasMessageContaining("workload name");
        assertThatThrownBy(() -> new BootArgs("wss", Map.of("a b", "1"), 0)).hasMessageContaining("argument name");
        assertThatThrownBy(() -> new BootArgs("wss", Map.of("k", "x".repeat(5000)), 0)).hasMessageContaining("exceed");
        assertThat(new BootArgs("wss", Map.of("wss", "4M"), 1).encodedArgs())
                .containsExactly('w', 's', 's', '=', '4', 'M', 0, 0);
    }
}
