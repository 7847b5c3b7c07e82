package org.migrationlab.vmm.web;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.migrationlab.migration.progress.ArrivalObserver;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.report.FaultLatency;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.step.Step;
import org.migrationlab.migration.step.StepCommand;
import org.migrationlab.migration.step.Stepper;

/**
 * A live view of one side of a migration: the web server, the page map the engine writes (the source's,
 * or the latest incoming migration's at a destination), and a ticker that sends viewers what changed ten
 * times a second. Ticks run on the server's event loop, so the map is drained by one thread only. Before
 * the migration starts the source's view shows the guest's map untouched.
 */
public final class LiveView implements AutoCloseable {
    public static final long TICK_MILLIS = 100;

    private final WebServer server;
    private final String title;
    private final long startNanos = System.nanoTime();
    private final AtomicLong bytesToViewers = new AtomicLong();
    private final ScheduledFuture<?> ticks;
    private volatile ViewedSide side; // null until the guest's size is known
    private volatile String hello;
    private volatile String endedJson;
    private volatile String peerView;
    private PageMap lastMap; // event loop only: the map the last tick sent
    private volatile Stepper stepper;
    private volatile boolean watched; // a viewer connected at some point

    private LiveView(WebServer server, String title) {
        this.server = server;
        this.title = title;
        this.ticks = server.eventLoop().scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Starts serving at {@code address}; the map appears once {@link #guest(long)} says how big it is. */
    public static LiveView start(InetSocketAddress address, String title) throws InterruptedException {
        return new LiveView(WebServer.start(address), title);
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** The address to open in a browser. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    /** The other side's view, for the page to open as well (before {@link #guest}); null for none. */
    public void peerView(String url) {
        peerView = url;
    }

    /** The guest is built: its map, every page not yet sent. */
    public void guest(long pageCount) {
        show(new SourceSide(new PageMap(pageCount), null));
    }

    /** The migration starts: the engine tells the map of every page from now on. */
    public void watch(MigrationProgress migration) {
        ViewedSide current = side;
        if (current == null) {
            guest(migration.guestPages());
            current = side;
        }
        migration.observePages(current.map());
        show(new SourceSide(current.map(), migration));
    }

    /**
     * A destination's view: the observer to give each incoming migration (a new migration's map replaces
     * the last one's once its guest is built). Viewers' commands are ignored: no step control reaches here.
     */
    public ArrivalObserver incoming() {
        return new IncomingView(this);
    }

    /** Shows {@code shown} from the next tick on. */
    void show(ViewedSide shown) {
        hello = ViewJson.write(new ViewMessage.Hello(title, shown.role(), shown.map().pageCount(),
                org.migrationlab.emulator.memory.GuestMemory.PAGE_SIZE, TICK_MILLIS, peerView));
        side = shown;
    }

    /**
     * Step mode: the page's controls drive {@code gate} ({"command": "run" | "pause" | "step", "step":
     * "precopy-round" | "prepage-batch" | "network-fault" | "guest-slice"}); what cannot be read is ignored.
     */
    public void steps(Stepper gate) {
        stepper = gate;
        server.viewers().commands(text -> {
            StepCommand command = StepCommands.parse(text);
            if (command != null) {
                gate.command(command);
            }
        });
    }

    /** Whether any browser has watched so far. */
    public boolean watched() {
        return watched;
    }

    /**
     * Keeps serving until a first viewer came and had a moment to get the map and the end, or for
     * {@code millis}: a migration can be over before anyone opened the page.
     */
    public void awaitFirstViewer(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!watched && System.nanoTime() < deadline) {
            Thread.sleep(TICK_MILLIS);
        }
        if (watched) {
            Thread.sleep(5 * TICK_MILLIS); // the newcomer's first ticks carry the map and the end
        }
    }

    /** Payload bytes sent to all viewers so far. */
    public long bytesToViewers() {
        return bytesToViewers.get();
    }

    public int viewers() {
        return server.viewers().count();
    }

    /**
     * The migration ended: a last tick carries the map's final changes, then the report's figures. Waits
     * (bounded) until both are written, so a view opened during the migration ends on the report.
     */
    public void ended(MigrationReport report) {
        ViewMessage.Ended ended = endedOf(report);
        String json = ViewJson.write(ended);
        var done = server.eventLoop().submit(() -> {
            tick();
            endedJson = json;
            return server.viewers().last(json);
        });
        try {
            done.get(2, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // The view is a window on the migration, never part of it: a stuck viewer is left behind.
        }
    }

    static ViewMessage.Ended endedOf(MigrationReport report) {
        FaultLatency latency = report.faults().latency();
        Map<String, Double> micros = new LinkedHashMap<>();
        if (latency != null) {
            micros.put("p50", latency.p50Micros());
            micros.put("p90", latency.p90Micros());
            micros.put("p99", latency.p99Micros());
            micros.put("max", latency.maxMicros());
        }
        return new ViewMessage.Ended(report.status(), report.error(), report.pages().byKind(),
                report.transfer().duplicatePages(), report.transfer().normalPages(), report.pages().resentPages(),
                finite(report.timing().totalMs()), finite(report.timing().downtimeMs()),
                report.transfer().transferredBytes(), micros);
    }

    private void tick() {
        if (server.viewers().count() > 0) {
            watched = true;
        }
        ViewedSide current = side;
        if (current == null) {
            return;
        }
        if (current.map() != lastMap) {
            // Another migration's map: viewers holding the last one's get the new one whole, not its deltas.
            server.viewers().resend();
            lastMap = current.map();
        }
        ByteBuf delta = MapFrames.delta(current.map(), PooledByteBufAllocator.DEFAULT);
        ViewMessage.Tick tick = current.tick(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                stepping());
        bytesToViewers.addAndGet(server.viewers().broadcast(hello, delta,
                alloc -> MapFrames.snapshot(current.map(), alloc), ViewJson.write(tick), endedJson));
    }

    private ViewMessage.Stepping stepping() {
        Stepper s = stepper;
        if (s == null) {
            return null;
        }
        Step held = s.waitingAt();
        return new ViewMessage.Stepping(s.paused(), held == null ? null : held.label(), s.passed(), s.slices(),
                s.sliceUnits());
    }

    static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }

    /** A last tick carries the map's final changes to viewers still there, then the server stops. */
    @Override
    public void close() {
        ticks.cancel(false);
        server.eventLoop().submit(this::tick).awaitUninterruptibly(1_000);
        server.close();
    }
}
