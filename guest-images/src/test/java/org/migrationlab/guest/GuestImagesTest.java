package org.migrationlab.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class GuestImagesTest {
    private static final long IMAGE_BASE = 0x100000;

    /** One PT_LOAD program header. */
    record Segment(long offset, long vaddr, long fileSize, long memSize) {
    }

    @Test
    void indexListsEveryImage() {
        assertThat(GuestImages.names()).containsExactly(GuestImages.KERNEL, GuestImages.HELLO_ELF, GuestImages.HELLO_FLAT,
                GuestImages.COUNTER_ELF);
    }

    @Test
    void workloadsAreExactlyThoseWorkloadsMdDocuments() throws IOException {
        // WORKLOADS.md has one "## name" section per workload (other sections have capitalised titles).
        List<String> documented = Files.readAllLines(Path.of("WORKLOADS.md")).stream()
                .filter(line -> line.matches("## [a-z][a-z0-9-]*"))
                .map(line -> line.substring(3))
                .toList();
        assertThat(documented).contains("wss", "churn");
        assertThat(GuestImages.workloads()).containsExactlyInAnyOrderElementsOf(documented);
    }

    @Test
    void counterElfIsAnX86_64ExecutableLoadedAtTheImageBase() {
        assertIsGuestElf(GuestImages.load(GuestImages.COUNTER_ELF));
    }

    @Test
    void kernelIsAnX86_64ExecutableLoadedAtTheImageBase() {
        assertIsGuestElf(GuestImages.kernel());
    }

    @Test
    void helloElfIsAnX86_64ExecutableLoadedAtTheImageBase() {
        assertIsGuestElf(GuestImages.load(GuestImages.HELLO_ELF));
    }

    @Test
    void helloFlatImageIsTheElfsLoadedBytesWithTheEntryFirst() {
        byte[] elf = GuestImages.load(GuestImages.HELLO_ELF);
        byte[] flat = GuestImages.load(GuestImages.HELLO_FLAT);
        List<Segment> segments = loadSegments(elf);
        Segment first = segments.getFirst();
        assertThat(header(elf).getLong(24)).as("entry").isEqualTo(first.vaddr()).isEqualTo(IMAGE_BASE);
        for (Segment s : segments) {
            int at = (int) (s.vaddr() - IMAGE_BASE);
            int length = (int) Math.min(s.fileSize(), Math.max(0, flat.length - at));
            assertThat(Arrays.copyOfRange(flat, at, at + length))
                    .isEqualTo(Arrays.copyOfRange(elf, (int) s.offset(), (int) s.offset() + length));
        }
        assertThat(flat.length).isGreaterThanOrEqualTo((int) first.fileSize());
    }

    @Test
    void missingImageNamesTheAvailableOnes() {
        assertThatThrownBy(() -> GuestImages.load("nosuch.elf"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuch.elf")
                .hasMessageContaining("kernel.elf, hello.elf, hello.bin, counter.elf");
    }

    @Test
    void namesThatLeaveTheImageDirectoryAreRefused() {
        assertThatThrownBy(() -> GuestImages.load("../org/migrationlab/guest/GuestImages.class"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an image name");
        assertThatThrownBy(() -> GuestImages.load("..")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachLoadReturnsAFreshCopy() {
        byte[] a = GuestImages.kernel();
        a[0] = 0;
        assertThat(GuestImages.kernel()[0]).isEqualTo((byte) 0x7f);
    }

    private static void assertIsGuestElf(byte[] image) {
        ByteBuffer h = header(image);
        assertThat(h.getInt(0)).as("magic").isEqualTo(0x464c457f);
        assertThat(image[4]).as("ELFCLASS64").isEqualTo((byte) 2);
        assertThat(image[5]).as("little-endian").isEqualTo((byte) 1);
        assertThat(h.getShort(16)).as("ET_EXEC").isEqualTo((short) 2);
        assertThat(h.getShort(18)).as("EM_X86_64").isEqualTo((short) 62);
        assertThat(h.getLong(24)).as("entry").isEqualTo(IMAGE_BASE);
        List<Segment> segments = loadSegments(image);
        assertThat(segments).isNotEmpty();
        assertThat(segments.getFirst().vaddr()).isEqualTo(IMAGE_BASE);
        assertThat(segments).allSatisfy(s -> {
            assertThat(s.vaddr()).isGreaterThanOrEqualTo(IMAGE_BASE);
            assertThat(s.memSize()).isGreaterThanOrEqualTo(s.fileSize());
            assertThat(s.offset() + s.fileSize()).isLessThanOrEqualTo(image.length);
        });
    }

    private static ByteBuffer header(byte[] image) {
        return ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static List<Segment> loadSegments(byte[] image) {
        ByteBuffer h = header(image);
        long phoff = h.getLong(32);
        int phentsize = Short.toUnsignedInt(h.getShort(54));
        int phnum = Short.toUnsignedInt(h.getShort(56));
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (h.getInt(at) == 1) {
                segments.add(new Segment(h.getLong(at + 8), h.getLong(at + 16), h.getLong(at + 32), h.getLong(at + 40)));
            }
        }
        return segments;
    }
}
