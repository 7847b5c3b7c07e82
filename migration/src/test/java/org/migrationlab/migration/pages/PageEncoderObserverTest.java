package org.migrationlab.migration.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.progress.PageObserver;
import org.migrationlab.migration.protocol.PageBatchBuilder;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.testing.LoopbackMigration;

/** The page observer port hears of every page the one encoding path sends, with its reason, round and kind. */
class PageEncoderObserverTest {
    record Sent(long page, SendReason reason, int round, boolean zero) {
    }

    @Test
    void everyEncodedPageIsObservedOnceWithWhyItWent() {
        MachineConfig config = LoopbackMigration.config(4L << 20, "wss", 1, "wss=1M", "passes=1");
        List<Sent> seen = new ArrayList<>();
        try (Migratable guest = LoopbackMigration.MACHINES.boot(config, LoopbackMigration.KERNEL);
             PageBatchBuilder batch = new PageBatchBuilder(PooledByteBufAllocator.DEFAULT, PageCodec.Compression.NONE)) {
            MigrationProgress progress = new MigrationProgress(guest.pageCount());
            progress.observePages(new PageObserver() {
                @Override
                public void sent(long page, SendReason reason, int round, boolean zero) {
                    seen.add(new Sent(page, reason, round, zero));
                }

                @Override
                public void dirtied(long page) {
                }

                @Override
                public void ballooned(long page) {
                }

                @Override
                public void pivot(long page) {
                }
            });
            PageEncoder encoder = new PageEncoder(guest, new SentPages(guest.pageCount()), progress);
            long untouched = guest.pageCount() - 1; // past the image and the guest's own pages: never written
            encoder.encode(batch, 0x100, SendReason.PRECOPY_ROUND, 2, false); // the kernel image: data
            encoder.encode(batch, untouched, SendReason.DEMAND, 0, false);

            assertThat(seen).containsExactly(new Sent(0x100, SendReason.PRECOPY_ROUND, 2, false),
                    new Sent(untouched, SendReason.DEMAND, 0, true));
            assertThat(progress.zeroPages()).isEqualTo(1);
        }
    }
}
