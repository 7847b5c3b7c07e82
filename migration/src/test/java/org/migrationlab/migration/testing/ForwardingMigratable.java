package org.migrationlab.migration.testing;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.migrationlab.emulator.machine.MachineConfig;
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
 * A machine that hands every call of the port to another one: the base of the test decorators that watch
 * or bend what the engine does to a guest (the order it reads pages in, a page corrupted as it arrives,
 * a guest held at a fault) without a line of test code in the engine. {@link #unwrap} reaches the machine
 * underneath, for {@code MachineProbes}.
 */
public class ForwardingMigratable implements Migratable {
    private final Migratable delegate;

    public ForwardingMigratable(Migratable delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The machine this one forwards to. */
    public final Migratable delegate() {
        return delegate;
    }

    /** The emulator's machine under any number of decorators. */
    public static Migratable unwrap(Migratable guest) {
        Migratable machine = guest;
        while (machine instanceof ForwardingMigratable forwarding) {
            machine = forwarding.delegate;
        }
        return machine;
    }

    @Override
    public MachineConfig config() {
        return delegate.config();
    }

    @Override
    public long pageCount() {
        return delegate.pageCount();
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public void start(AbsentPageHandler absentPages) {
        delegate.start(absentPages);
    }

    @Override
    public CompletableFuture<GuestEnd> ended() {
        return delegate.ended();
    }

    @Override
    public GuestProgress progress() {
        return delegate.progress();
    }

    @Override
    public CompletableFuture<Void> progressReached(long units) {
        return delegate.progressReached(units);
    }

    @Override
    public CompletableFuture<Void> startDirtyLog(DirtyLogMode mode) {
        return delegate.startDirtyLog(mode);
    }

    @Override
    public CompletableFuture<PageBitmap> harvestDirtyLog() {
        return delegate.harvestDirtyLog();
    }

    @Override
    public CompletableFuture<FrozenGuest> freeze() {
        return delegate.freeze();
    }

    @Override
    public CompletableFuture<Void> resume() {
        return delegate.resume();
    }

    @Override
    public void throttle(int percent) {
        delegate.throttle(percent);
    }

    @Override
    public int throttlePercent() {
        return delegate.throttlePercent();
    }

    @Override
    public void park(boolean parked) {
        delegate.park(parked);
    }

    @Override
    public CompletableFuture<String> echoConsole(Consumer<String> lines) {
        return delegate.echoConsole(lines);
    }

    @Override
    public CompletableFuture<Void> mapFilledPages() {
        return delegate.mapFilledPages();
    }

    @Override
    public void release() {
        delegate.release();
    }

    @Override
    public CompletableFuture<GuestSummary> summary() {
        return delegate.summary();
    }

    @Override
    public boolean isBallooned(long page) {
        return delegate.isBallooned(page);
    }

    @Override
    public void readPage(long page, PageSink sink) {
        delegate.readPage(page, sink);
    }

    @Override
    public void installPage(long page, PageWriter contents) {
        delegate.installPage(page, contents);
    }

    @Override
    public void installZeroPage(long page) {
        delegate.installZeroPage(page);
    }

    @Override
    public void fillPage(long page, PageWriter contents) {
        delegate.fillPage(page, contents);
    }

    @Override
    public void fillZeroPage(long page) {
        delegate.fillZeroPage(page);
    }

    @Override
    public void restore(GuestState state, PageBitmap pending) {
        delegate.restore(state, pending);
    }

    @Override
    public Optional<BalloonControl> balloon() {
        return delegate.balloon();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
