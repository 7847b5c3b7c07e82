package org.migrationlab.vmm.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The page map on the wire, as binary WebSocket frames (big-endian). A snapshot is the whole map, sent
 * once to each new viewer: {@code 1, pages:int32, state:byte × pages}. A delta is what changed since the
 * last tick: {@code 2, pages:int32, words:int32}, then per changed 64-page word {@code word:int32,
 * bits:int64} and the new state of each page whose bit is set, in bit order. A delta is at most
 * 1 + 12/64 bytes a page, whatever the migration's rate: at most one state per page per tick.
 */
public final class MapFrames {
    public static final byte SNAPSHOT = 1;
    public static final byte DELTA = 2;

    private MapFrames() {
    }

    public static ByteBuf snapshot(PageMap map, ByteBufAllocator alloc) {
        int pages = map.pageCount();
        ByteBuf out = alloc.buffer(5 + pages);
        out.writeByte(SNAPSHOT).writeInt(pages);
        for (int p = 0; p < pages; p++) {
            out.writeByte(map.state(p));
        }
        return out;
    }

    /** Drains the map's changes into one delta frame; null when nothing changed. */
    public static ByteBuf delta(PageMap map, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(9 + 1024);
        out.writeByte(DELTA).writeInt(map.pageCount()).writeInt(0);
        int[] words = {0};
        map.drainChanged((word, bits) -> {
            words[0]++;
            out.writeInt(word).writeLong(bits);
            int base = word << 6;
            for (long rest = bits; rest != 0; rest &= rest - 1) {
                out.writeByte(map.state(base + Long.numberOfTrailingZeros(rest)));
            }
        });
        if (words[0] == 0) {
            out.release();
            return null;
        }
        out.setInt(5, words[0]);
        return out;
    }
}
