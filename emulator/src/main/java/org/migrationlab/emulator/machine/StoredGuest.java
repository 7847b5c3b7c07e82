package org.migrationlab.emulator.machine;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.port.AbsentPageHandler;
import org.migrationlab.emulator.port.BalloonControl;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.port.FrozenGuest;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestProgress;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.port.PageSink;
import org.migrationlab.emulator.port.PageWriter;

/**
 * A stopped guest's RAM reopened from its file by another process: pages can be read, and the guest is
 * as frozen as it was when its process died — it has no vCPU, no devices, and never runs. Everything that
 * would run or change it throws.
 */
final class StoredGuest implements Migratable {
    private final MachineConfig config;
    private final GuestMemory ram;
    private final PageBitmap ballooned;
    /** Never completes on its own: this guest neither runs nor ends here. */
    private final CompletableFuture<GuestEnd> ended = new CompletableFuture<>();

    StoredGuest(MachineConfig config, GuestMemory ram, PageBitmap ballooned) {
        if (ballooned.pageCount() != ram.pageCount()) {
            ram.close();
            throw new IllegalArgumentException("balloon map of " + ballooned.pageCount() + " pages for a guest of "
                    + ram.pageCount());
        }
        this.config = config;
        this.ram = ram;
        this.ballooned = ballooned.copy();
    }

    @Override
    public MachineConfig config() {
        return config;
    }

    @Override
    public long pageCount() {
        return ram.pageCount();
    }

    @Override
    public boolean isBallooned(long page) {
        return ballooned.get(page);
    }

    @Override
    public void readPage(long page, PageSink sink) {
        // Untouched pages are holes in the file: reading them reads zeros, which the sink may send as such.
        if (page == 0 || ram.isZeroPage(page)) {
            sink.zeroPage(page);
        } else {
            sink.dataPage(page, ram.page(page));
        }
    }

    @Override
    public void release() {
        // nothing runs here
    }

    @Override
    public CompletableFuture<GuestEnd> ended() {
        return ended;
    }

    @Override
    public Optional<BalloonControl> balloon() {
        return Optional.empty();
    }

    @Override
    public void close() {
        ram.close();
    }

    private static UnsupportedOperationException stored() {
        return new UnsupportedOperationException("a stored guest does not run: only its pages can be read");
    }

    @Override
    public void start() {
        throw stored();
    }

    @Override
    public void start(AbsentPageHandler absentPages) {
        throw stored();
    }

    @Override
    public GuestProgress progress() {
        throw stored();
    }

    @Override
    public CompletableFuture<Void> progressReached(long units) {
        throw stored();
    }

    @Override
    public CompletableFuture<Void> startDirtyLog(DirtyLogMode mode) {
        throw stored();
    }

    @Override
    public CompletableFuture<PageBitmap> harvestDirtyLog() {
        throw stored();
    }

    @Override
    public CompletableFuture<FrozenGuest> freeze() {
        throw stored();
    }

    @Override
    public CompletableFuture<Void> resume() {
        throw stored();
    }

    @Override
    public void throttle(int percent) {
        throw stored();
    }

    @Override
    public int throttlePercent() {
        return 0;
    }

    @Override
    public void park(boolean parked) {
        throw stored();
    }

    @Override
    public CompletableFuture<String> echoConsole(Consumer<String> lines) {
        throw stored();
    }

    @Override
    public CompletableFuture<Void> mapFilledPages() {
        throw stored();
    }

    @Override
    public CompletableFuture<GuestSummary> summary() {
        throw stored();
    }

    @Override
    public void installPage(long page, PageWriter contents) {
        throw stored();
    }

    @Override
    public void installZeroPage(long page) {
        throw stored();
    }

    @Override
    public void fillPage(long page, PageWriter contents) {
        throw stored();
    }

    @Override
    public void fillZeroPage(long page) {
        throw stored();
    }

    @Override
    public void restore(GuestState state, PageBitmap pending) {
        throw stored();
    }
}
