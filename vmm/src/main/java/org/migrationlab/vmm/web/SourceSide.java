package org.migrationlab.vmm.web;

import org.migrationlab.migration.progress.ChannelBytes;
import org.migrationlab.migration.progress.MigrationProgress;

/** The source's side: its map, written by the engine, and the migration's counters once it started. */
final class SourceSide implements ViewedSide {
    private final PageMap map;
    private final MigrationProgress progress; // null until the migration starts
    private ChannelBytes lastBytes = ChannelBytes.NONE;
    private long lastRequests;

    SourceSide(PageMap map, MigrationProgress progress) {
        this.map = map;
        this.progress = progress;
    }

    @Override
    public PageMap map() {
        return map;
    }

    @Override
    public String role() {
        return ViewMessage.Hello.SOURCE;
    }

    @Override
    public ViewMessage.Tick tick(long atMillis, ViewMessage.Stepping stepping) {
        MigrationProgress p = progress;
        ChannelBytes now = p == null ? ChannelBytes.NONE : p.channelBytes();
        long requests = p == null ? 0 : p.postcopyRequests();
        ViewMessage.Tick tick = new ViewMessage.Tick(atMillis, p == null ? "guest running" : p.phase(),
                Math.max(0, now.bulk() - lastBytes.bulk()), Math.max(0, now.urgent() - lastBytes.urgent()),
                Math.max(0, requests - lastRequests), map.lastPivot(),
                p == null ? ViewMessage.Counters.NONE : counters(p), stepping, null);
        lastBytes = now;
        lastRequests = requests;
        return tick;
    }

    private static ViewMessage.Counters counters(MigrationProgress p) {
        return new ViewMessage.Counters(p.pagesByKind(), p.zeroPages(), p.normalPages(), p.normalBytes(),
                p.resentPages(), p.remainingPages(), p.rounds(), p.balloonedSkips(), p.postcopyRequests(),
                LiveView.finite(p.dirtyPagesRate()), p.cpuThrottlePercent());
    }
}
