package org.migrationlab.balloon.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.port.DeviceState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.migrationlab.balloon.policy.BalloonPolicy;
import org.migrationlab.balloon.policy.SelfBalloonPolicy;
import org.migrationlab.balloon.testing.FakeHypercall;
import org.migrationlab.emulator.devices.BadHypercallException;
import org.migrationlab.emulator.devices.DeviceResources;
import org.migrationlab.emulator.devices.Ports;
import org.migrationlab.emulator.devices.HypercallOutcome;
import org.migrationlab.emulator.devices.VirtualClock;
import org.migrationlab.emulator.port.DirtyLogMode;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.memory.PageState;

/** The balloon device against a real memory map, driven by hand-made hypercalls: the normal path and hostile ones. */
class BalloonDeviceTest {
    private static final long RAM = 16L << 20;
    private static final long PAGES = RAM / GuestMemory.PAGE_SIZE;
    private static final long ARRAY_GPA = 0x10000;

    private MemoryMap memory;
    private VirtualClock clock;
    private BalloonDevice device;
    private int flushes;
    private final List<BalloonPolicy.Observation> observed = new ArrayList<>();
    private long answer = 0;

    /** Records what it is shown and answers {@link #answer}. */
    private final BalloonPolicy recording = new BalloonPolicy() {
        public String name() {
            return "recording";
        }

        public long targetPages(Observation now) {
            observed.add(now);
            return answer;
        }
    };

    @BeforeEach
    void setUp() {
        memory = new MemoryMap(RAM, PageState.PRESENT);
        memory.useTlbFlush(() -> flushes++);
        clock = new VirtualClock();
        device = new BalloonDevice(new DeviceResources(memory, clock), recording);
    }

    @AfterEach
    void tearDown() {
        memory.close();
    }

    private FakeHypercall listing(long reason, long... pages) {
        ByteBuffer array = ByteBuffer.allocate(pages.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long page : pages) {
            array.putLong(page);
        }
        memory.ram().write(ARRAY_GPA, array.array());
        return new FakeHypercall(memory, ARRAY_GPA, pages.length, reason);
    }

    /** Inflates and runs the deferred half, as Machine.run would between slices. */
    private long inflate(long... pages) {
        FakeHypercall call = listing(0, pages);
        HypercallOutcome outcome = device.hypercall(BalloonDevice.OP_INFLATE, call);
        if (outcome instanceof HypercallOutcome.ReturnToHost back) {
            back.work().run(memory);
        }
        return call.result();
    }

    private long deflate(long reason, long... pages) {
        FakeHypercall call = listing(reason, pages);
        assertThat(device.hypercall(BalloonDevice.OP_DEFLATE, call)).isEqualTo(HypercallOutcome.CONTINUE);
        return call.result();
    }

    private long query(long free, long total, long reserve) {
        FakeHypercall call = new FakeHypercall(memory, free, total, reserve);
        assertThat(device.hypercall(BalloonDevice.OP_QUERY, call)).isEqualTo(HypercallOutcome.CONTINUE);
        return call.result();
    }

    /** Writes the page as the host would (noted, so the memory map knows it may hold data). */
    private void fill(long page, int value) {
        memory.ram().segment().asSlice(page * GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE).fill((byte) value);
        memory.noteHostWrite(page * GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
    }

    @Test
    void inflationIsDeferredToBetweenSlicesThenThePagesAreAbsentAndZero() {
        for (long page = 0x500; page < 0x503; page++) {
            fill(page, 0xab);
        }
        FakeHypercall call = listing(0, 0x500, 0x501, 0x502);
        HypercallOutcome outcome = device.hypercall(BalloonDevice.OP_INFLATE, call);

        assertThat(call.result()).isEqualTo(3);
        assertThat(outcome).isInstanceOf(HypercallOutcome.ReturnToHost.class);
        assertThat(memory.state(0x500)).as("untouched inside the hook").isEqualTo(PageState.PRESENT);
        assertThat(flushes).isZero();

        ((HypercallOutcome.ReturnToHost) outcome).work().run(memory);
        for (long page = 0x500; page < 0x503; page++) {
            assertThat(memory.state(page)).isEqualTo(PageState.BALLOONED);
            assertThat(memory.pageTable().isPresent(page)).isFalse();
            assertThat(memory.ram().isZeroPage(page)).as("contents discarded").isTrue();
        }
        assertThat(flushes).as("one flush for the batch").isEqualTo(1);
        assertThat(device.balloonPages()).isEqualTo(3);
        assertThat(device.ballooned().cardinality()).isEqualTo(3);
        assertThat(device.stats()).extracting(BalloonStats::inflations, BalloonStats::pagesReturned).containsExactly(1L, 3L);
    }

    @Test
    void deflationMapsZeroPagesInsideTheHook() {
        inflate(0x600, 0x601);
        assertThat(deflate(BalloonDevice.DEFLATE_TARGET, 0x601, 0x600)).isEqualTo(2);
        assertThat(memory.state(0x600)).isEqualTo(PageState.PRESENT);
        assertThat(memory.pageTable().isPresent(0x601)).isTrue();
        assertThat(memory.ram().isZeroPage(0x600)).isTrue();
        assertThat(device.balloonPages()).isZero();
        assertThat(device.stats()).extracting(BalloonStats::deflations, BalloonStats::pagesReclaimed,
                BalloonStats::pressureDeflations).containsExactly(1L, 2L, 0L);
    }

    @Test
    void dirtyLoggingForgetsInflatedPagesAndSeesDeflatedOnes() {
        memory.dirtyLog().start(DirtyLogMode.WRITE_PROTECT);
        memory.noteHostWrite(0x700L * GuestMemory.PAGE_SIZE, 1);
        inflate(0x700, 0x701);
        PageBitmap dirty = memory.dirtyLog().harvest();
        assertThat(dirty.get(0x700)).as("a ballooned page is never sent").isFalse();
        deflate(BalloonDevice.DEFLATE_PRESSURE, 0x701);
        dirty = memory.dirtyLog().harvest();
        assertThat(dirty.get(0x701)).as("the deflated page's zeros must reach a destination").isTrue();
        assertThat(memory.pageTable().isWritable(0x701)).as("still logged: its next write faults").isFalse();
    }

    @Test
    void queryShowsThePolicyTheGuestsReportAndHoldsAfterPressure() {
        answer = 7;
        clock.advance(5_000);
        assertThat(query(100, 1000, 16)).isEqualTo(7);
        inflate(0x800);
        deflate(BalloonDevice.DEFLATE_PRESSURE, 0x800);
        query(100, 1000, 16);
        query(100, 1000, 16);
        assertThat(observed).extracting(BalloonPolicy.Observation::queriesSincePressure)
                .containsExactly(Long.MAX_VALUE, 0L, 1L);
        assertThat(observed.getFirst()).isEqualTo(new BalloonPolicy.Observation(5_000, 100, 1000, 16, 0, Long.MAX_VALUE));
        assertThat(device.stats().queries()).isEqualTo(3);
    }

    @Test
    void aFrozenBalloonRefusesInflationButStillDeflates() {
        inflate(0x900);
        device.freeze();
        assertThat(inflate(0x901, 0x902)).isZero();
        assertThat(memory.state(0x901)).isEqualTo(PageState.PRESENT);
        answer = 500;
        assertThat(query(100, 1000, 0)).as("frozen: hold the size").isEqualTo(1);
        assertThat(deflate(BalloonDevice.DEFLATE_TARGET, 0x900)).isEqualTo(1);
        assertThat(device.stats().refusedInflations()).isEqualTo(1);
        assertThat(device.stats().frozenQueries()).isEqualTo(1);
        device.unfreeze();
        assertThat(inflate(0x901)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, PAGES, PAGES + 1, -1, Long.MIN_VALUE})
    void aPageNumberOutsideRamOrTheNullPageIsAGuestError(long bad) {
        assertThatThrownBy(() -> inflate(0xa00, bad)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("page " + Long.toUnsignedString(bad));
        assertThat(memory.state(0xa00)).as("nothing changed").isEqualTo(PageState.PRESENT);
        inflate(0xa00);
        assertThatThrownBy(() -> deflate(0, 0xa00, bad)).isInstanceOf(BadHypercallException.class);
        assertThat(memory.state(0xa00)).isEqualTo(PageState.BALLOONED);
    }

    @Test
    void moreThanABatchIsAGuestError() {
        assertThatThrownBy(() -> device.hypercall(BalloonDevice.OP_INFLATE, new FakeHypercall(memory, ARRAY_GPA, 513, 0)))
                .isInstanceOf(BadHypercallException.class).hasMessageContaining("at most 512");
        assertThatThrownBy(() -> device.hypercall(BalloonDevice.OP_DEFLATE, new FakeHypercall(memory, ARRAY_GPA, -1, 0)))
                .isInstanceOf(BadHypercallException.class).hasMessageContaining("18446744073709551615");
        long[] full = new long[512];
        for (int i = 0; i < full.length; i++) {
            full[i] = 0x400 + i;
        }
        assertThat(inflate(full)).isEqualTo(512);
    }

    @Test
    void inflatingAPageTwiceIsAGuestError() {
        assertThatThrownBy(() -> inflate(0xb00, 0xb01, 0xb00)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("twice");
        inflate(0xb00);
        assertThatThrownBy(() -> inflate(0xb01, 0xb00)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("page 2816, which is ballooned");
        assertThat(memory.state(0xb01)).isEqualTo(PageState.PRESENT);
        // Twice before the deferred half ran (a guest without the jump after its out).
        device.hypercall(BalloonDevice.OP_INFLATE, listing(0, 0xb02));
        assertThatThrownBy(() -> device.hypercall(BalloonDevice.OP_INFLATE, listing(0, 0xb02)))
                .isInstanceOf(BadHypercallException.class).hasMessageContaining("being inflated");
    }

    @Test
    void deflatingAPageNeverBalloonedIsAGuestError() {
        assertThatThrownBy(() -> deflate(0, 0xc00)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("page 3072, which is present, not ballooned");
        inflate(0xc01);
        assertThatThrownBy(() -> deflate(0, 0xc01, 0xc01)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("twice");
        assertThat(memory.state(0xc01)).isEqualTo(PageState.BALLOONED);
        memory.makeAbsent(0xc02, 0xc03);
        assertThatThrownBy(() -> deflate(0, 0xc02)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("absent");
    }

    @Test
    void otherHostileCallsAreGuestErrors() {
        assertThatThrownBy(() -> device.hypercall(3, new FakeHypercall(memory, 0, 0, 0)))
                .isInstanceOf(BadHypercallException.class).hasMessageContaining("unknown operation 3");
        inflate(0xd00);
        assertThatThrownBy(() -> deflate(2, 0xd00)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("reason 2");
        assertThatThrownBy(() -> query(1000, 10, 0)).isInstanceOf(BadHypercallException.class);
        assertThatThrownBy(() -> query(10, PAGES + 1, 0)).isInstanceOf(BadHypercallException.class);
        assertThatThrownBy(() -> query(-1, 10, 0)).isInstanceOf(BadHypercallException.class);
        memory.makeAbsent(ARRAY_GPA / GuestMemory.PAGE_SIZE, ARRAY_GPA / GuestMemory.PAGE_SIZE + 1);
        assertThatThrownBy(() -> device.hypercall(BalloonDevice.OP_INFLATE, new FakeHypercall(memory, ARRAY_GPA, 1, 0)))
                .isInstanceOf(BadHypercallException.class).hasMessageContaining("ABSENT");
        assertThatThrownBy(() -> device.hypercall(BalloonDevice.OP_INFLATE, new FakeHypercall(memory, RAM - 8, 2, 0)))
                .isInstanceOf(BadHypercallException.class).hasMessageContaining("outside RAM");
    }

    @Test
    void aPolicyAnswerOutsideTheGuestIsAHostBugNotAGuestCrash() {
        answer = 2000;
        assertThatThrownBy(() -> query(10, 1000, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recording");
    }

    @Test
    void stateRoundTripsAndMovesToAnotherDevice() {
        inflate(0xe00, 0xe01);
        deflate(BalloonDevice.DEFLATE_PRESSURE, 0xe00);
        query(5, 100, 0);
        DeviceState saved = device.save();
        assertThat(saved.deviceId()).isEqualTo(Ports.BALLOON);
        assertThat(saved.version()).isEqualTo(BalloonState.VERSION);
        assertThat(BalloonState.decode(saved.version(), saved.body())).isEqualTo(device.balloonState());

        try (MemoryMap other = new MemoryMap(RAM, PageState.ABSENT)) {
            BalloonDevice copy = new BalloonDevice(new DeviceResources(other, new VirtualClock()), SelfBalloonPolicy.paper());
            copy.restore(saved);
            assertThat(copy.balloonState()).isEqualTo(device.balloonState());
            assertThat(copy.stats()).isEqualTo(new BalloonStats(1, 1, 1, 1, 1, 0, 2, 1, 0, 0));
        }
    }

    @Test
    void hostileStateIsRejected() {
        byte[] good = device.save().body();
        assertThatThrownBy(() -> device.restore(state(9, good))).hasMessageContaining("version 9");
        assertThatThrownBy(() -> device.restore(state(1, java.util.Arrays.copyOf(good, 20))))
                .hasMessageContaining("bytes");
        assertThatThrownBy(() -> device.restore(state(1, new byte[2]))).hasMessageContaining("2 bytes, expected 72");
        assertThatThrownBy(() -> device.restore(state(1, java.util.Arrays.copyOf(good, good.length + 8))))
                .hasMessageContaining("bytes");
        byte[] negative = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -5).array();
        assertThatThrownBy(() -> device.restore(state(1, negative))).hasMessageContaining("negative");
        byte[] huge = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN).putLong(0, PAGES).array();
        assertThatThrownBy(() -> device.restore(state(1, huge))).hasMessageContaining("RAM has");
        assertThat(device.balloonState()).isEqualTo(BalloonState.initial());
    }

    private static DeviceState state(int version, byte[] body) {
        return new DeviceState(Ports.BALLOON, version, body);
    }
}
