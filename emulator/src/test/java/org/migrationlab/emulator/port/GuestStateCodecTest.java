package org.migrationlab.emulator.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.cpu.CpuState;

/** The guest-state image: round trips, and every check of the decoder refuses what it must. */
class GuestStateCodecTest {
    private static final long PAGES = 1024;

    static GuestState sample(long seed) {
        Random random = new Random(seed);
        long[] registers = new long[CpuState.FIELD_COUNT];
        for (int i = 0; i < registers.length; i++) {
            registers[i] = random.nextLong();
        }
        byte[] console = new byte[random.nextInt(300)];
        random.nextBytes(console);
        PageBitmap ballooned = new PageBitmap(PAGES);
        for (int i = 0; i < 20; i++) {
            ballooned.set(1 + random.nextInt((int) PAGES - 1));
        }
        return new GuestState(CpuState.fromArray(registers),
                List.of(new DeviceState(0xe1, 1, console), new DeviceState(0xe3, 1, new byte[128]),
                        new DeviceState(0xe6, 2, new byte[] {1, 2, 3})), ballooned);
    }

    @Property(tries = 50)
    void aStateRoundTripsExactly(@ForAll @LongRange(min = 0, max = 1000) long seed) {
        GuestState state = sample(seed);
        GuestState decoded = GuestStateCodec.decode(GuestStateCodec.encode(state));
        assertThat(decoded.cpu()).isEqualTo(state.cpu());
        assertThat(decoded.devices()).isEqualTo(state.devices());
        assertThat(decoded.ballooned()).isEqualTo(state.ballooned());
        assertThat(GuestStateCodec.encode(decoded)).isEqualTo(GuestStateCodec.encode(state));
    }

    @Test
    void theHeaderNamesTheFormat() {
        ByteBuffer image = ByteBuffer.wrap(GuestStateCodec.encode(sample(1))).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(image.getInt(0)).isEqualTo(GuestStateCodec.MAGIC);
        assertThat(new String(Arrays.copyOf(image.array(), 4))).isEqualTo("GSTA");
        assertThat(image.getShort(4)).isEqualTo((short) GuestStateCodec.FORMAT_VERSION);
        assertThat(image.getShort(6)).isEqualTo((short) 5); // CPU, balloon map, three devices
    }

    @Property(tries = 200)
    void anyFlippedBitIsRefusedAsMalformed(@ForAll @IntRange(min = 0, max = 1_000_000) int where) {
        byte[] image = GuestStateCodec.encode(sample(2));
        int bit = where % (image.length * 8);
        image[bit / 8] ^= (byte) (1 << (bit % 8));
        assertRefused(image, "");
    }

    @Property(tries = 100)
    void anyTruncationIsRefused(@ForAll @IntRange(min = 0, max = 1_000_000) int where) {
        byte[] image = GuestStateCodec.encode(sample(3));
        assertRefused(Arrays.copyOf(image, where % image.length), "");
    }

    @Test
    void eachStructuralCheckNamesWhatIsWrong() {
        byte[] good = GuestStateCodec.encode(sample(4));
        assertRefused(new byte[5], "shorter than its header");
        assertRefused(edit(good, b -> b.putInt(0, 0x12345678)), "magic");
        assertRefused(withoutChecksumFix(good), "checksum");
        assertRefused(edit(good, b -> b.putShort(4, (short) 2)), "format version 2");
        assertRefused(edit(good, b -> b.putShort(6, (short) 65)), "65 sections");
        assertRefused(edit(good, b -> b.putShort(6, (short) 4)), "after its last section");
        assertRefused(edit(good, b -> b.putShort(6, (short) 6)), "truncated");
        assertRefused(edit(good, b -> b.putInt(12, Integer.MAX_VALUE)), "overruns");
        assertRefused(edit(good, b -> b.putShort(8, (short) 0x0003)), "unknown section 0x3");
        assertRefused(edit(good, b -> b.putShort(10, (short) 2)), "CPU section version 2");
    }

    @Test
    void missingOrDuplicatedSectionsAreRefused() {
        GuestState state = sample(5);
        byte[] cpuOnly = image(List.of(section(GuestStateCodec.SECTION_CPU, 1, cpuBody(state.cpu()))));
        assertRefused(cpuOnly, "without a balloon map");
        byte[] twice = image(List.of(section(GuestStateCodec.SECTION_CPU, 1, cpuBody(state.cpu())),
                section(GuestStateCodec.SECTION_CPU, 1, cpuBody(state.cpu()))));
        assertRefused(twice, "appears twice");
        byte[] balloonOnly = image(List.of(section(GuestStateCodec.SECTION_BALLOON_MAP, 1, balloonBody(8, 0, new byte[1]))));
        assertRefused(balloonOnly, "without a CPU section");
    }

    @Test
    void aBalloonMapMustCountWhatItMarks() {
        GuestState state = sample(6);
        byte[] cpu = section(GuestStateCodec.SECTION_CPU, 1, cpuBody(state.cpu()));
        assertRefused(image(List.of(cpu, section(GuestStateCodec.SECTION_BALLOON_MAP, 1,
                balloonBody(16, 3, new byte[] {0b110, 0})))), "counts 3 pages but marks 2");
        assertRefused(image(List.of(cpu, section(GuestStateCodec.SECTION_BALLOON_MAP, 1,
                balloonBody(16, 0, new byte[3])))), "3 bytes for 16 pages");
        assertRefused(image(List.of(cpu, section(GuestStateCodec.SECTION_BALLOON_MAP, 1,
                balloonBody(Long.MAX_VALUE, 0, new byte[3])))), "for 9223372036854775807 pages");
        assertRefused(image(List.of(cpu, section(GuestStateCodec.SECTION_BALLOON_MAP, 1,
                balloonBody(12, 1, new byte[] {0, (byte) 0b1000_0000})))), "beyond the last");
        assertRefused(image(List.of(cpu, section(GuestStateCodec.SECTION_BALLOON_MAP, 7,
                balloonBody(8, 0, new byte[1])))), "balloon map version 7");
    }

    @Test
    void theCpuSectionHoldsExactlyEveryRegister() {
        byte[] shortCpu = Arrays.copyOf(cpuBody(sample(7).cpu()), 2 + 8 * 33);
        ByteBuffer.wrap(shortCpu).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 33);
        assertRefused(image(List.of(section(GuestStateCodec.SECTION_CPU, 1, shortCpu),
                section(GuestStateCodec.SECTION_BALLOON_MAP, 1, balloonBody(8, 0, new byte[1])))), "33 registers");
    }

    private static void assertRefused(byte[] image, String message) {
        assertThatThrownBy(() -> GuestStateCodec.decode(image)).isInstanceOfSatisfying(InvalidGuestStateException.class,
                e -> assertThat(e.kind()).isEqualTo(InvalidGuestStateException.Kind.MALFORMED)).hasMessageContaining(message);
    }

    /** The image with an edit applied and its checksum made right again, so only the edit is wrong. */
    private static byte[] edit(byte[] image, java.util.function.Consumer<ByteBuffer> change) {
        byte[] copy = image.clone();
        change.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        fixChecksum(copy);
        return copy;
    }

    private static byte[] withoutChecksumFix(byte[] image) {
        byte[] copy = image.clone();
        copy[copy.length - 1] ^= 1;
        return copy;
    }

    private static void fixChecksum(byte[] image) {
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - 4);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(image.length - 4, (int) crc.getValue());
    }

    private static byte[] cpuBody(CpuState cpu) {
        ByteBuffer body = ByteBuffer.allocate(2 + 8 * CpuState.FIELD_COUNT).order(ByteOrder.LITTLE_ENDIAN);
        body.putShort((short) CpuState.FIELD_COUNT);
        for (long register : cpu.toArray()) {
            body.putLong(register);
        }
        return body.array();
    }

    private static byte[] balloonBody(long pages, long count, byte[] bitmap) {
        return ByteBuffer.allocate(16 + bitmap.length).order(ByteOrder.LITTLE_ENDIAN).putLong(pages).putLong(count)
                .put(bitmap).array();
    }

    private static byte[] section(int id, int version, byte[] body) {
        return ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN).putShort((short) id)
                .putShort((short) version).putInt(body.length).put(body).array();
    }

    /** A well-framed image of these sections, with a right checksum. */
    private static byte[] image(List<byte[]> sections) {
        int size = 8 + 4 + sections.stream().mapToInt(s -> s.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(GuestStateCodec.MAGIC).putShort((short) 1).putShort((short) sections.size());
        sections.forEach(out::put);
        byte[] image = out.array();
        fixChecksum(image);
        return image;
    }
}
