package org.migrationlab.emulator.memory;

import org.migrationlab.emulator.port.PageBitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class PageBitmapTest {
    @Property
    void setRangeSetsExactlyTheRange(@ForAll @IntRange(min = 1, max = 700) int pageCount,
                                     @ForAll @IntRange(min = 0, max = 700) int from, @ForAll @IntRange(min = 0, max = 700) int to) {
        PageBitmap bitmap = new PageBitmap(pageCount);
        int lo = Math.min(from, pageCount);
        int hi = Math.min(Math.max(to, lo), pageCount);
        bitmap.setRange(lo, hi);
        for (int p = 0; p < pageCount; p++) {
            assertThat(bitmap.get(p)).as("page %d of [%d, %d)", p, lo, hi).isEqualTo(p >= lo && p < hi);
        }
        assertThat(bitmap.cardinality()).isEqualTo(hi - lo);
    }

    @Property
    void behavesLikeASetOfPages(@ForAll @IntRange(min = 1, max = 5000) int pageCount,
                                @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 4999) Integer> adds,
                                @ForAll @Size(max = 100) List<@IntRange(min = 0, max = 4999) Integer> removes) {
        PageBitmap bitmap = new PageBitmap(pageCount);
        Set<Long> model = new TreeSet<>();
        adds.stream().filter(p -> p < pageCount).forEach(p -> {
            bitmap.set(p);
            model.add((long) p);
        });
        removes.stream().filter(p -> p < pageCount).forEach(p -> {
            bitmap.clear(p);
            model.remove((long) p);
        });
        List<Long> seen = new ArrayList<>();
        bitmap.forEach(seen::add);
        assertThat(seen).containsExactlyElementsOf(model);
        assertThat(bitmap.cardinality()).isEqualTo(model.size());
        assertThat(bitmap.isEmpty()).isEqualTo(model.isEmpty());
        List<Long> iterated = new ArrayList<>();
        for (long p = bitmap.nextSetBit(0); p >= 0; p = bitmap.nextSetBit(p + 1)) {
            iterated.add(p);
        }
        assertThat(iterated).containsExactlyElementsOf(model);
        byte[] bytes = bitmap.toByteArray();
        assertThat(bytes).hasSize((pageCount + 7) / 8);
        for (int p = 0; p < pageCount; p++) {
            assertThat((bytes[p >>> 3] & (1 << (p & 7))) != 0).isEqualTo(model.contains((long) p));
        }
        PageBitmap copy = bitmap.copy();
        assertThat(copy).isEqualTo(bitmap);
        copy.andNot(bitmap);
        assertThat(copy.isEmpty()).isTrue();
        copy.or(bitmap);
        assertThat(copy).isEqualTo(bitmap);
    }

    @Property
    void byteArraysRoundTripAndClearBitsAndIntersectionsAgreeWithTheSet(
            @ForAll @IntRange(min = 1, max = 700) int pageCount,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 699) Integer> pages,
            @ForAll @Size(max = 50) List<@IntRange(min = 0, max = 699) Integer> others) {
        PageBitmap bitmap = new PageBitmap(pageCount);
        PageBitmap other = new PageBitmap(pageCount);
        pages.stream().filter(p -> p < pageCount).forEach(bitmap::set);
        others.stream().filter(p -> p < pageCount).forEach(other::set);

        assertThat(PageBitmap.fromByteArray(bitmap.toByteArray(), pageCount)).isEqualTo(bitmap);
        for (int from = 0; from <= pageCount; from++) {
            long expected = -1;
            for (int p = from; p < pageCount; p++) {
                if (!bitmap.get(p)) {
                    expected = p;
                    break;
                }
            }
            assertThat(bitmap.nextClearBit(from)).as("next clear from %d", from).isEqualTo(expected);
        }
        boolean shared = pages.stream().filter(p -> p < pageCount).anyMatch(p -> other.get(p));
        assertThat(bitmap.intersects(other)).isEqualTo(shared);
    }

    @Property
    void aByteArrayOfTheWrongLengthOrWithBitsPastTheLastPageIsRefused(@ForAll @IntRange(min = 1, max = 700) int pageCount) {
        byte[] bytes = new byte[(pageCount + 7) / 8];
        assertThat(PageBitmap.fromByteArray(bytes, pageCount).isEmpty()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PageBitmap.fromByteArray(new byte[bytes.length + 1], pageCount))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes for");
        if (pageCount % 8 != 0) {
            bytes[bytes.length - 1] = (byte) 0x80;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PageBitmap.fromByteArray(bytes, pageCount))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond the last");
        }
    }
}
