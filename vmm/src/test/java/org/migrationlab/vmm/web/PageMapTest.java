package org.migrationlab.vmm.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.SendReason;

/** The page map keeps each page's last fate and hands out what changed once; its frames decode back to it. */
class PageMapTest {
    @Test
    void keepsEachPagesLastFateAndCountsThem() {
        PageMap map = new PageMap(200);
        map.sent(3, SendReason.PRECOPY_ROUND, 0, false);
        map.sent(4, SendReason.PRECOPY_ROUND, 1, true);
        map.dirtied(3);
        map.ballooned(150);
        map.sent(199, SendReason.DEMAND, 0, false);
        map.sent(70, SendReason.PREPAGE, 0, true);
        map.pivot(199);

        assertThat(map.state(3)).isEqualTo(CellState.DIRTIED);
        assertThat(map.state(4)).isEqualTo((byte) (CellState.ROUND_0 + 1 | CellState.ZERO_FLAG));
        assertThat(map.state(150)).isEqualTo(CellState.BALLOONED);
        assertThat(map.state(199)).isEqualTo(CellState.DEMAND);
        assertThat(map.state(70)).isEqualTo((byte) (CellState.PREPAGE | CellState.ZERO_FLAG));
        assertThat(map.lastPivot()).isEqualTo(199);
        long[] counts = map.counts();
        assertThat(counts[CellState.NOT_SENT]).isEqualTo(195);
        assertThat(counts[CellState.DEMAND]).isEqualTo(1);
    }

    @Test
    void drainsEachChangedPageOnceAsWordsOfBits() {
        PageMap map = new PageMap(200);
        map.sent(1, SendReason.PUSH, 0, false);
        map.sent(1, SendReason.PUSH, 0, false);
        map.sent(64, SendReason.PUSH, 0, false);
        map.sent(199, SendReason.PUSH, 0, false);
        List<long[]> words = new ArrayList<>();
        assertThat(map.drainChanged((w, bits) -> words.add(new long[] {w, bits}))).isEqualTo(3);
        assertThat(words).containsExactly(new long[] {0, 1L << 1}, new long[] {1, 1L}, new long[] {3, 1L << 7});
        assertThat(map.drainChanged((w, bits) -> words.add(null))).as("nothing changed since").isZero();
    }

    @Test
    void aSnapshotThenDeltasRebuildTheMapInTheBrowser() {
        PageMap map = new PageMap(1000);
        map.sent(10, SendReason.PRECOPY_ROUND, 0, false);
        byte[] browser = decode(null, MapFrames.snapshot(map, UnpooledByteBufAllocator.DEFAULT));
        MapFrames.delta(map, UnpooledByteBufAllocator.DEFAULT).release(); // the snapshot had it already
        map.dirtied(10);
        map.sent(999, SendReason.STOP_AND_COPY, 0, true);
        map.sent(500, SendReason.DEMAND, 0, false);
        ByteBuf delta = MapFrames.delta(map, UnpooledByteBufAllocator.DEFAULT);
        assertThat(delta.readableBytes()).as("3 words of 12 bytes and 3 states, after 9 bytes of header")
                .isEqualTo(9 + 3 * 12 + 3);
        browser = decode(browser, delta);
        for (int p = 0; p < 1000; p++) {
            assertThat(browser[p]).as("page %d", p).isEqualTo(map.state(p));
        }
        assertThat(browser[10]).isEqualTo(CellState.DIRTIED);
        assertThat(MapFrames.delta(map, UnpooledByteBufAllocator.DEFAULT)).as("no change, no frame").isNull();
    }

    /** What the page's script does with a frame, in Java. */
    static byte[] decode(byte[] states, ByteBuf frame) {
        try {
            byte type = frame.readByte();
            int pages = frame.readInt();
            byte[] out = states == null ? new byte[pages] : states;
            if (type == MapFrames.SNAPSHOT) {
                frame.readBytes(out);
                return out;
            }
            int words = frame.readInt();
            for (int i = 0; i < words; i++) {
                int base = frame.readInt() * 64;
                long bits = frame.readLong();
                for (int b = 0; b < 64; b++) {
                    if ((bits & (1L << b)) != 0) {
                        out[base + b] = frame.readByte();
                    }
                }
            }
            assertThat(frame.isReadable()).as("the frame was read to its end").isFalse();
            return out;
        } finally {
            frame.release();
        }
    }
}
