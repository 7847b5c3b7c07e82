package org.migrationlab.emulator.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.port.AbsentPageHandler;
import org.migrationlab.emulator.port.FrozenGuest;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.GuestStateCodec;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.InvalidGuestStateException;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.port.PageSink;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * The migration port without a network: a guest frozen through the port and rebuilt through it in
 * another machine, by pre-copy (pages installed before the restore) and by post-copy (every page absent,
 * filled on demand by the absent-page handler), ends byte-identical to a run that never moved; and each
 * contract of the port refuses what it must.
 */
@Timeout(120)
class MigratableMachineTest {
    private static final long RAM = 16L << 20;
    private static final Machines MACHINES = new Machines();
    private static final MachineConfig CONFIG = KernelGuests.config(RAM, "wss", 3, "wss=4M", "pattern=random",
            "write-ratio=0.5", "passes=60");

    /** CONFIG run to its end unmoved, once for every test (the guest is deterministic). */
    private static final class Unmoved {
        static final KernelGuests.Outcome OUTCOME;
        static final long PROGRESS;

        static {
            try (Machine machine = KernelGuests.boot(CONFIG)) {
                OUTCOME = KernelGuests.runToEnd(machine);
                PROGRESS = machine.counters().value(0);
            }
        }
    }

    @Test
    void aGuestCopiedThroughThePortBeforeItRunsAgainEndsLikeAnUnmovedRun() throws Exception {
        KernelGuests.Outcome reference = Unmoved.OUTCOME;
        try (Migratable source = MACHINES.boot(CONFIG, KernelGuests.kernel());
             Migratable destination = MACHINES.empty(CONFIG)) {
            FrozenGuest frozen = runToHalfwayAndFreeze(source);
            Installer installer = new Installer(destination);
            for (long page = 1; page < source.pageCount(); page++) {
                source.readPage(page, installer);
            }
            GuestState state = GuestStateCodec.decode(GuestStateCodec.encode(frozen.state()));
            destination.restore(state, new PageBitmap(source.pageCount()));
            assertThat(destination.progress().units()).isEqualTo(frozen.progressUnits());
            destination.start();
            assertThat(outcome(destination)).isEqualTo(reference);
            assertThat(installer.zeroPages).as("pages never touched are read as zero pages").isPositive();
            source.resume().get(10, TimeUnit.SECONDS);
            assertThat(outcome(source)).as("the source, resumed after the copy").isEqualTo(reference);
        }
    }

    @Test
    void aGuestWhosePagesAreAllAbsentRunsOnPagesFilledOnDemand() throws Exception {
        KernelGuests.Outcome reference = Unmoved.OUTCOME;
        try (Migratable source = MACHINES.boot(CONFIG, KernelGuests.kernel());
             Migratable destination = MACHINES.empty(CONFIG)) {
            FrozenGuest frozen = runToHalfwayAndFreeze(source);
            PageBitmap pending = new PageBitmap(source.pageCount());
            pending.setRange(1, source.pageCount());
            destination.restore(frozen.state(), pending);
            AtomicLong faults = new AtomicLong();
            Filler filler = new Filler(destination);
            java.util.BitSet filled = new java.util.BitSet();
            destination.start(page -> {
                faults.incrementAndGet();
                source.readPage(page, filler); // the frozen source's RAM, filled into the absent page
                filled.set((int) page); // only the vCPU thread writes it before the guest ends
                return AbsentPageHandler.Resolution.MAP;
            });
            destination.ended().get(60, TimeUnit.SECONDS);
            // What the guest never touched again is still at the source: fill it (the engine's push), then map it.
            for (long page = 1; page < source.pageCount(); page++) {
                if (!filled.get((int) page)) {
                    source.readPage(page, filler);
                }
            }
            destination.mapFilledPages().get(10, TimeUnit.SECONDS);
            assertThat(outcome(destination)).isEqualTo(reference);
            assertThat(faults.get()).as("demand faults").isPositive().isLessThan(source.pageCount());
            // Every filled page is present now, zero pages too (a balloon may inflate any of them as free).
            MemoryMap map = ((MigratableMachine) destination).machine().memory();
            List<Long> stillAbsent = new ArrayList<>();
            for (long page = 1; page < source.pageCount(); page++) {
                if (map.state(page) == PageState.ABSENT) {
                    stillAbsent.add(page);
                }
            }
            assertThat(stillAbsent).as("pages still absent after mapFilledPages").isEmpty();
        }
    }

    /**
     * A page that arrives as zeros is mapped with the others once every page is in: post-copy pushes a guest's
     * untouched pages as zero pages, and one left absent was refused by the balloon when the guest later
     * inflated it ("inflate of page N, which is absent").
     */
    @Test
    void mapFilledPagesMapsZeroPagesAsWellAsWrittenOnes() throws Exception {
        try (Migratable source = MACHINES.boot(CONFIG, KernelGuests.kernel());
             Migratable destination = MACHINES.empty(CONFIG)) {
            FrozenGuest frozen = runToHalfwayAndFreeze(source);
            long last = source.pageCount() - 1;
            Installer installer = new Installer(destination);
            for (long page = 1; page < last - 1; page++) {
                source.readPage(page, installer);
            }
            PageBitmap pending = new PageBitmap(source.pageCount());
            pending.set(last - 1);
            pending.set(last);
            destination.restore(frozen.state(), pending);
            destination.fillZeroPage(last);
            destination.fillPage(last - 1, page -> page.fill((byte) 7));
            MemoryMap memory = MachineProbes.machineOf(destination).memory();
            assertThat(memory.state(last)).as("filled, not yet mapped").isEqualTo(PageState.ABSENT);
            // The guest halfway through its run does not touch the top of RAM: no fault maps these pages for us.
            destination.start(page -> new AbsentPageHandler.Resolution.Fail("page " + page + " faulted"));

            destination.mapFilledPages().get(10, TimeUnit.SECONDS);

            assertThat(memory.state(last - 1)).as("a page that arrived with data").isEqualTo(PageState.PRESENT);
            assertThat(memory.state(last)).as("a page that arrived as zeros").isEqualTo(PageState.PRESENT);
            assertThat(memory.ram().segment().asSlice(last * 4096, 4096).toArray(ValueLayout.JAVA_BYTE))
                    .containsOnly((byte) 0);
            assertThat(destination.ended().get(60, TimeUnit.SECONDS)).isInstanceOf(GuestEnd.Halted.class);
        }
    }

    @Test
    void anAbsentPageThatNeverComesEndsTheGuestAsFailedWithTheHandlersReason() throws Exception {
        try (Migratable source = MACHINES.boot(CONFIG, KernelGuests.kernel());
             Migratable destination = MACHINES.empty(CONFIG)) {
            FrozenGuest frozen = runToHalfwayAndFreeze(source);
            PageBitmap pending = new PageBitmap(source.pageCount());
            pending.setRange(1, source.pageCount());
            destination.restore(frozen.state(), pending);
            destination.start(page -> new AbsentPageHandler.Resolution.Fail("page " + page + " is lost"));
            assertThat(destination.ended().get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(GuestEnd.Failed.class,
                    failed -> assertThat(failed.message()).matches("page \\d+ is lost"));
        }
    }

    @Test
    void pagesAreFilledOnlyWhereTheGuestCannotSeeThem() throws Exception {
        try (Migratable source = MACHINES.boot(CONFIG, KernelGuests.kernel());
             Migratable destination = MACHINES.empty(CONFIG)) {
            byte[] ones = new byte[4096];
            java.util.Arrays.fill(ones, (byte) 1);
            destination.installPage(5, into -> into.copyFrom(MemorySegment.ofArray(ones)));
            assertThatThrownBy(() -> destination.fillPage(5, into -> { })).hasMessageContaining("not absent");
            assertThatThrownBy(() -> destination.installPage(0, into -> { })).hasMessageContaining("null guard");
            assertThatThrownBy(() -> destination.installPage(source.pageCount(), into -> { }))
                    .hasMessageContaining("beyond");
            destination.fillPage(6, into -> into.copyFrom(MemorySegment.ofArray(ones)));
            source.start();
            assertThatThrownBy(() -> source.installPage(7, into -> { })).hasMessageContaining("once the guest runs");
            assertThatThrownBy(() -> source.fillPage(7, into -> { })).hasMessageContaining("PRESENT, not absent");
            source.ended().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void restoreRefusesPageSetsThatCannotBe() throws Exception {
        try (Migratable source = MACHINES.boot(CONFIG, KernelGuests.kernel())) {
            FrozenGuest frozen = runToHalfwayAndFreeze(source);
            long pages = source.pageCount();
            PageBitmap allButZero = new PageBitmap(pages);
            allButZero.setRange(1, pages);

            PageBitmap guard = new PageBitmap(pages);
            guard.set(0);
            assertRefused(withBalloon(frozen.state(), guard), allButZero, InvalidGuestStateException.Kind.BAD_PAGE,
                    "null guard");
            PageBitmap one = new PageBitmap(pages);
            one.set(9);
            assertRefused(withBalloon(frozen.state(), one), allButZero, InvalidGuestStateException.Kind.REFUSED,
                    "page 9 is both ballooned and pending");
            PageBitmap missing = allButZero.copy();
            missing.clear(77);
            assertRefused(frozen.state(), missing, InvalidGuestStateException.Kind.REFUSED,
                    "page 77 never arrived and is not pending");
            assertRefused(frozen.state(), new PageBitmap(pages / 2), InvalidGuestStateException.Kind.MALFORMED,
                    "page sets of");
        }
    }

    @Test
    void aThrottledVcpuSleepsItsShareOfWallTime() throws Exception {
        MachineConfig endless = KernelGuests.config(RAM, "wss", 3, "wss=1M", "passes=0");
        try (Migratable guest = MACHINES.boot(endless, KernelGuests.kernel())) {
            MigratableMachine machine = (MigratableMachine) guest;
            guest.start();
            guest.progressReached(100_000).get(30, TimeUnit.SECONDS);
            assertThat(machine.throttledNanos()).isZero();
            guest.throttle(50);
            assertThat(guest.throttlePercent()).isEqualTo(50);
            long start = System.nanoTime();
            long sleptBefore = machine.throttledNanos();
            guest.progressReached(guest.progress().units() + 2_000_000).get(60, TimeUnit.SECONDS);
            double share = (machine.throttledNanos() - sleptBefore) / (double) (System.nanoTime() - start);
            assertThat(share).as("share of wall time asleep at a 50 %% throttle").isBetween(0.3, 0.8); // sleeps overrun under load
            guest.throttle(0);
            guest.progressReached(guest.progress().units() + 100_000).get(60, TimeUnit.SECONDS); // a slice after
            long slept = machine.throttledNanos();
            guest.progressReached(guest.progress().units() + 1_000_000).get(60, TimeUnit.SECONDS);
            assertThat(machine.throttledNanos()).as("no sleep once the throttle is lifted").isEqualTo(slept);
            assertThatThrownBy(() -> guest.throttle(100)).hasMessageContaining("0..99");
        }
    }

    /**
     * The throttle holds while commands keep coming (a migration harvests dirty logs and reads state many
     * times a round): serving one does not end the sleep. When it did, a 90 % throttle slept a fraction of
     * the wall time, and auto-converge at 99 % slowed a guest only about six times.
     */
    @Test
    void aThrottledVcpuSleepsItsShareWhileCommandsKeepComing() throws Exception {
        MachineConfig endless = KernelGuests.config(RAM, "wss", 3, "wss=1M", "passes=0");
        try (Migratable guest = MACHINES.boot(endless, KernelGuests.kernel())) {
            MigratableMachine machine = (MigratableMachine) guest;
            guest.start();
            guest.progressReached(100_000).get(30, TimeUnit.SECONDS);
            guest.startDirtyLog(DirtyLogMode.DIRTY_BIT).get(30, TimeUnit.SECONDS);
            guest.throttle(90);
            guest.harvestDirtyLog().get(30, TimeUnit.SECONDS); // a slice under the throttle has begun
            long start = System.nanoTime();
            long sleptBefore = machine.throttledNanos();
            int commands = 0;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2)) {
                guest.harvestDirtyLog().get(30, TimeUnit.SECONDS); // cheap: a bitmap of 4,096 pages
                commands++;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            double share = (machine.throttledNanos() - sleptBefore) / (double) (System.nanoTime() - start);
            assertThat(commands).as("commands served during the sleep").isGreaterThan(100);
            assertThat(share).as("share of wall time asleep at a 90 %% throttle, commands every 2 ms").isGreaterThan(0.6);
        }
    }

    /**
     * The throttle holds for a guest that reports its progress often (a hypercall every 64 increments):
     * the vCPU's sleep is owed for all the time it ran since it last slept, not only since its last hypercall.
     */
    @Test
    void aThrottledGuestThatMakesManyHypercallsSleepsItsShareToo() throws Exception {
        MachineConfig endless = KernelGuests.config(RAM, "incrementer", 4, "range=1M", "sweeps=0");
        try (Migratable guest = MACHINES.boot(endless, KernelGuests.kernel())) {
            MigratableMachine machine = (MigratableMachine) guest;
            guest.start();
            guest.progressReached(100_000).get(30, TimeUnit.SECONDS);
            long start = System.nanoTime();
            long from = guest.progress().units();
            guest.progressReached(from + 2_000_000).get(60, TimeUnit.SECONDS);
            double unthrottled = 2_000_000 / ((System.nanoTime() - start) / 1e9);
            guest.throttle(75);
            guest.progressReached(guest.progress().units() + 100_000).get(60, TimeUnit.SECONDS); // a slice after
            start = System.nanoTime();
            long sleptBefore = machine.throttledNanos();
            guest.progressReached(guest.progress().units() + 1_000_000).get(60, TimeUnit.SECONDS);
            long wall = System.nanoTime() - start;
            double share = (machine.throttledNanos() - sleptBefore) / (double) wall;
            double throttled = 1_000_000 / (wall / 1e9);
            System.out.printf("incrementer: %.0f units/s unthrottled, %.0f at 75 %%, asleep %.2f%n", unthrottled,
                    throttled, share);
            assertThat(share).as("share of wall time asleep at a 75 %% throttle").isGreaterThan(0.5);
            assertThat(throttled).as("progress per second at 75 %% against none").isLessThan(unthrottled * 0.6);
        }
    }

    /** Starts the guest, lets it run to half its work, freezes it. */
    private static FrozenGuest runToHalfwayAndFreeze(Migratable source) throws Exception {
        long total = Unmoved.PROGRESS;
        source.start();
        source.progressReached(total / 2).get(60, TimeUnit.SECONDS);
        FrozenGuest frozen = source.freeze().get(10, TimeUnit.SECONDS);
        assertThat(frozen.progressUnits()).isGreaterThanOrEqualTo(total / 2).isLessThan(total);
        assertThat(source.ended()).as("the guest is frozen, not ended").isNotDone();
        return frozen;
    }

    private static KernelGuests.Outcome outcome(Migratable guest) throws Exception {
        GuestEnd end = guest.ended().get(60, TimeUnit.SECONDS);
        GuestSummary summary = guest.summary().get(10, TimeUnit.SECONDS);
        assertThat(end).as(summary.console()).isInstanceOf(GuestEnd.Halted.class);
        GuestEnd.Halted halted = (GuestEnd.Halted) end;
        return new KernelGuests.Outcome(halted.result(), halted.status(), summary.console(), summary.memoryHash());
    }

    private static GuestState withBalloon(GuestState state, PageBitmap ballooned) {
        return new GuestState(state.cpu(), state.devices(), ballooned);
    }

    private static void assertRefused(GuestState state, PageBitmap pending, InvalidGuestStateException.Kind kind,
                                      String message) {
        try (Migratable destination = MACHINES.empty(CONFIG)) {
            assertThatThrownBy(() -> destination.restore(state, pending))
                    .isInstanceOfSatisfying(InvalidGuestStateException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                    .hasMessageContaining(message);
        }
    }

    /** Installs what the source's pages read as into a destination that has not started. */
    private static final class Installer implements PageSink {
        private final Migratable destination;
        long zeroPages;

        Installer(Migratable destination) {
            this.destination = destination;
        }

        @Override
        public void zeroPage(long page) {
            zeroPages++;
            destination.installZeroPage(page);
        }

        @Override
        public void dataPage(long page, MemorySegment view) {
            destination.installPage(page, into -> into.copyFrom(view));
        }
    }

    /** Fills absent pages of a running destination with what the source's pages read as. */
    private static final class Filler implements PageSink {
        private final Migratable destination;

        Filler(Migratable destination) {
            this.destination = destination;
        }

        @Override
        public void zeroPage(long page) {
            destination.fillZeroPage(page);
        }

        @Override
        public void dataPage(long page, MemorySegment view) {
            destination.fillPage(page, into -> into.copyFrom(view));
        }
    }
}
