package org.migrationlab.emulator.port;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.migrationlab.emulator.machine.MachineConfig;

/**
 * A guest machine as a migration engine sees it: the only door the engine has into the emulator.
 *
 * <p><b>Lifecycle.</b> A machine is built by a {@link GuestFactory}, not yet running. A source machine is
 * {@linkplain #start() started}, migrated (dirty logging, freeze) and then either {@linkplain #release()
 * released} (it lives on elsewhere) or {@linkplain #resume() resumed} (the migration failed). A destination
 * machine receives pages ({@link #installPage} before it runs, {@link #fillPage} for absent pages at any
 * time), is {@linkplain #restore restored} from a {@link GuestState} and {@linkplain #start(AbsentPageHandler)
 * started} with a handler for the pages still absent. {@link #close()} frees it.
 *
 * <p><b>Threads.</b> The guest runs on its own vCPU thread. The vCPU commands (methods returning a future)
 * may be asked for from any thread; each runs on the vCPU thread at the next clean pause (a hypercall
 * or a fault, never in the middle of a translated block) and completes its future there. Page reads and
 * fills follow the contracts on their methods. Before {@link #start}, the machine belongs to whichever
 * thread builds it up; callers serialise their calls.
 */
public interface Migratable extends AutoCloseable {
    /** What the machine is: RAM size and boot arguments. */
    MachineConfig config();

    /** Guest RAM in pages (page 0 is the null guard: never mapped, always zero). */
    long pageCount();

    // ---- running

    /** Starts the vCPU on a booted machine: the guest runs from its entry point. Once. */
    void start();

    /**
     * Starts the vCPU of a {@linkplain #restore restored} destination machine. Every access to a page
     * still absent goes to {@code absentPages} on the vCPU thread. Once.
     */
    void start(AbsentPageHandler absentPages);

    /** Completes once the guest stopped for good (halted, crashed, failed, or its vCPU was released). */
    CompletableFuture<GuestEnd> ended();

    /** The guest's progress, live. */
    GuestProgress progress();

    /** Completes once the guest's progress counter reached {@code units} (at once if it has). */
    CompletableFuture<Void> progressReached(long units);

    // ---- vCPU commands

    /** Arms dirty logging of every present page; the guest goes on. */
    CompletableFuture<Void> startDirtyLog(DirtyLogMode mode);

    /** The pages written since the last harvest (or the start), re-armed; the guest goes on. */
    CompletableFuture<PageBitmap> harvestDirtyLog();

    /**
     * Pauses the guest for good and captures it: its state, the last dirty pages (dirty logging then
     * stops), its progress and its balloon. The guest stays paused until {@link #resume()} or
     * {@link #release()}; its pages may then be read from any thread without a copy.
     */
    CompletableFuture<FrozenGuest> freeze();

    /**
     * Lets a guest run on here after a migration out that failed: dirty logging stops if it ran, a
     * frozen guest thaws, a throttle is lifted. Its memory is exactly as the guest left it.
     */
    CompletableFuture<Void> resume();

    /** Slows the guest to (100 − percent) % of wall time (QEMU's cpu-throttle); 0 lifts it. Any thread. */
    void throttle(int percent);

    /** The throttle now, in percent. */
    int throttlePercent();

    /**
     * Parks the guest (it stops at its next clean pause and runs no further, while every command is still
     * served: harvests, freeze) or lets it run again. Unlike a freeze, which {@link #resume()} lifts, parking is
     * lifted only here. It holds a live guest at a known point until a migration catches it (the source's
     * {@code --hold-at}). Before {@link #start()} it decides whether the guest starts parked. Any thread.
     */
    void park(boolean parked);

    /** From the next complete line on, echo the console to {@code lines} (vCPU thread); returns what was printed so far. */
    CompletableFuture<String> echoConsole(Consumer<String> lines);

    /** Maps every page that was filled but never touched, so every page is present (end of post-copy). */
    CompletableFuture<Void> mapFilledPages();

    /** The guest left: the vCPU thread stops for good and the guest stays paused (its memory stays readable). */
    void release();

    /** What the guest left behind; read at a pause while it runs, directly once it stopped. */
    CompletableFuture<GuestSummary> summary();

    // ---- pages

    /** Whether the guest's balloon holds the page now (any thread; a running guest may change it at once). */
    boolean isBallooned(long page);

    /**
     * Reads one page into {@code sink}: {@link PageSink#zeroPage} for a page never touched (without reading
     * it), else a read-only view of its RAM. Any thread. While the guest runs the view's bytes may change
     * under the reader; once {@linkplain #freeze() frozen} they do not.
     */
    void readPage(long page, PageSink sink);

    /**
     * Writes a page's contents and makes it present, before the guest runs (pre-copy at a destination).
     * Writing a page again replaces it.
     */
    void installPage(long page, PageWriter contents);

    /** As {@link #installPage}, with a page of zeros (not written where RAM was never touched). */
    void installZeroPage(long page);

    /**
     * Writes the contents of an absent page, which stays absent (the guest cannot see it) until the
     * {@link AbsentPageHandler} asks to map it or {@link #mapFilledPages()} runs. Any thread, while the
     * guest runs: safe because the guest cannot touch an absent page. Throws for a page that is not absent.
     */
    void fillPage(long page, PageWriter contents);

    /** As {@link #fillPage}, with a page of zeros (not written where RAM was never touched). */
    void fillZeroPage(long page);

    // ---- restore

    /**
     * Loads a frozen guest into this destination machine before it runs. First the CPU state and every
     * device's state are checked against this machine — registers a guest of this machine can be in
     * (paging registers as the machine set them, null selectors, RIP in RAM, ...), device states within
     * their devices' limits — before anything of them reaches the emulator: a state from a hostile source
     * is refused ({@link InvalidGuestStateException.Kind#REFUSED}) and the process, and this machine, carry
     * on. Then the pages the state's balloon holds become ballooned (any copy of them is discarded), the
     * {@code pending} pages become absent (a copy installed earlier is stale), every other page must have
     * been installed, and the CPU and devices are loaded. A state refused after the page checks began leaves
     * the machine to be discarded.
     */
    void restore(GuestState state, PageBitmap pending);

    /** The balloon device, if this machine has one. */
    Optional<BalloonControl> balloon();

    /** Stops the vCPU if it runs and frees the machine's memory. */
    @Override
    void close();
}
