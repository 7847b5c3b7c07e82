package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.balloon.device.BalloonDevice;
import org.migrationlab.balloon.device.BalloonStats;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.image.BootInfo;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.PageState;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.MemoryDigest;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The migration oracle with dynamic self-ballooning on (issue tests 2 and 3): a churning guest whose
 * balloon holds thousands of pages is migrated mid-run by every scheme.
 *
 * <ul>
 *   <li>Its result, status, console and final progress equal those of an unmigrated run with DSB, and
 *       its result equals that of a run without DSB.</li>
 *   <li>Pre-copy and stop-and-copy leave the balloon running on both ends (nothing is pending after their
 *       switch-over), so the guest ends byte-identical (memory hash included) to the unmigrated run. In post-copy and hybrid the destination's balloon is frozen
 *       until every page arrived (inflations refused), which legitimately changes which free pages end
 *       ballooned; there the memory is compared page by page with the pages ballooned on either side and
       the driver's own area masked.</li>
 *   <li>At the switch-over and at the destination's arrival the balloon's own count equals the pages
 *       its machine holds ballooned, and the balloon is no longer frozen.</li>
 *   <li>No ballooned page crosses the network: a post-copy or stop-and-copy migration sends exactly the
 *       guest's pages less the ballooned ones, and saved-pages is that difference; without DSB it sends every page.</li>
 * </ul>
 */
@ExtendWith(NoLeaks.class)
@Timeout(90)
class SelfBallooningMigrationIT {
    static final long RAM = 32L << 20;
    private static final Map<MachineConfig, LoopbackMigration.DigestedReference> REFERENCES =
            new ConcurrentHashMap<>();
    /**
     * Migrations already made, by guest and scheme: the exact-pages test and the scheme cases both check the
     * same held post-copy migration of the DSB guest, which is made once.
     */
    private static final Map<List<Object>, LoopbackMigration.Result> MIGRATIONS = new ConcurrentHashMap<>();

    /** dsb= last, so that both variants lay out their other arguments identically. */
    static MachineConfig churn(String dsb) {
        return LoopbackMigration.config(RAM, "churn", 21, "size=16M", "block=256K", "phases=20",
                "dsb-interval=100us", "dsb-reserve=512K", "dsb=" + dsb);
    }

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    static Stream<MigrationConfig> schemes() {
        return Stream.of(MigrationConfig.defaults(MigrationMode.PRECOPY),
                MigrationConfig.defaults(MigrationMode.PRECOPY).withStopPolicy("xen"),
                MigrationConfig.defaults(MigrationMode.POSTCOPY),
                MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("push"),
                MigrationConfig.defaults(MigrationMode.HYBRID),
                MigrationConfig.defaults(MigrationMode.STOP_AND_COPY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void migratedGuestUnderSelfBallooningEndsAsTheUnmigratedOne(MigrationConfig migration) throws Exception {
        MachineConfig config = churn("on");
        LoopbackMigration.Reference reference = reference(config);
        LoopbackMigration.Result result = migrate(config, migration, reference);
        MigrationReport report = result.report();
        BalloonSummary balloon = report.balloon();

        assertThat(report.completed()).as("completed: %s", report.error()).isTrue();
        assertThat(result.haltedBeforeSwitchOver()).as("the guest had ended before the switch-over").isFalse();
        assertThat(balloon.dsb()).isEqualTo("on");
        assertThat(balloon.sizePages()).as("pages ballooned at the switch-over").isGreaterThan(1_000);
        LoopbackMigration.GuestOutcome migrated = result.destination();
        LoopbackMigration.GuestOutcome unmigrated = reference.outcome();
        assertThat(migrated.result()).isEqualTo(unmigrated.result()).isEqualTo(reference(churn("off")).outcome().result());
        assertThat(migrated.status()).isZero();
        assertThat(migrated.console()).isEqualTo(unmigrated.console());
        assertThat(result.finalProgress()).isEqualTo(reference.finalProgress());
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        if (!migration.mode().hasPostcopyPhase()) {
            assertThat(migrated).as("byte-identical, memory hash included").isEqualTo(unmigrated);
        }
        assertMemoryMatchesOutsideTheBalloons(config, migration.mode(), result);

        Census source = Census.decode(result.sourceProbe());
        Census destination = Census.decode(result.destinationProbe());
        assertThat(source.deviceCount()).as("the source balloon's count = its ballooned pages")
                .isEqualTo(source.ballooned()).isEqualTo(balloon.sizePages());
        assertThat(destination.deviceCount()).as("the destination balloon's count = its ballooned pages")
                .isEqualTo(destination.ballooned());
        assertThat(destination.frozen()).as("still frozen after every page arrived").isFalse();

        long postcopyPages = report.pages().byKind().get("push") + report.pages().byKind().get("prepage")
                + report.pages().byKind().get("demand");
        switch (migration.mode()) {
            case PRECOPY -> assertThat(balloon.savedPages()).as("round 0 skipped at least the pages ballooned then")
                    .isGreaterThan(1_000);
            case POSTCOPY -> {
                assertThat(report.transfer().pagesSent()).as("every page but the ballooned ones, once")
                        .isEqualTo(report.pages().guestPages() - balloon.sizePages());
                assertThat(postcopyPages).isEqualTo(report.pages().guestPages() - balloon.sizePages());
                assertThat(balloon.savedPages()).isEqualTo(balloon.sizePages());
            }
            case STOP_AND_COPY -> {
                assertThat(report.transfer().pagesSent()).as("every page but the ballooned ones, once, paused")
                        .isEqualTo(report.pages().guestPages() - balloon.sizePages())
                        .isEqualTo(report.pages().byKind().get("stop-and-copy"));
                assertThat(balloon.savedPages()).isEqualTo(balloon.sizePages());
            }
            case HYBRID -> {
                assertThat(report.pages().byKind().get("precopy-round-0")).as("round 0 skips ballooned pages")
                        .isLessThan(report.pages().guestPages());
                assertThat(report.pages().byKind().get("precopy-round-0") + balloon.savedPages())
                        .as("round 0 sent or skipped every page").isGreaterThanOrEqualTo(report.pages().guestPages());
            }
        }
    }

    /** Issue test 3: pages sent with DSB = pages sent without DSB − ballooned pages, to the page. */
    @Test
    void postcopyWithSelfBallooningSendsExactlyTheUnballoonedPages() throws Exception {
        MigrationConfig postcopy = MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("push");
        MigrationReport off = migrate(churn("off"), postcopy, reference(churn("off"))).report();
        MigrationReport on = migrate(churn("on"), postcopy, reference(churn("on"))).report();
        assertThat(off.completed()).as(off.error()).isTrue();
        assertThat(on.completed()).as(on.error()).isTrue();

        assertThat(off.balloon().sizePages()).isZero();
        assertThat(off.balloon().savedPages()).isZero();
        assertThat(off.transfer().pagesSent()).isEqualTo(off.pages().guestPages());
        assertThat(on.balloon().sizePages()).isGreaterThan(1_000);
        assertThat(on.transfer().pagesSent()).isEqualTo(off.transfer().pagesSent() - on.balloon().sizePages());
        assertThat(on.balloon().savedPages()).isEqualTo(on.balloon().sizePages());
        assertThat(on.transfer().transferredBytes()).isLessThan(off.transfer().transferredBytes());
    }

    /**
     * Post-copy over a slow link keeps the destination's guest running for a second or more while pages
     * arrive: its balloon is frozen then (its driver wakes and is told to hold its size), and any deflation
     * the churn needs under memory pressure is served from local zero pages: no ballooned page is ever
     * requested or sent.
     */
    @Test
    void postcopyFreezesTheBalloonAndServesPressureDeflationsLocally() throws Exception {
        MachineConfig config = churn("on");
        LoopbackMigration.Reference reference = reference(config);
        TransportConfig slow = TransportConfig.of(LoopbackMigration.SECRET).withLink(20_000_000, 0);
        LoopbackMigration.Result result = LoopbackMigration.migrate(config,
                MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("push"), reference.finalProgress() / 3,
                LoopbackMigration.Options.defaults().withTransports(slow, slow).withProbe(Census::take).withDigest());
        MigrationReport report = result.report();
        System.out.println(ReportJson.render(report));
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(result.destination().result()).isEqualTo(reference.outcome().result());
        assertThat(result.destination().console()).isEqualTo(reference.outcome().console());

        Census source = Census.decode(result.sourceProbe());
        Census destination = Census.decode(result.destinationProbe());
        System.out.printf("balloon at the switch-over: %s; at the destination once every page arrived: %s%n", source,
                destination);
        assertThat(source.frozenQueries()).as("the source's balloon was never frozen").isZero();
        assertThat(destination.frozenQueries()).as("the driver woke while frozen and was told to hold").isPositive();
        // How many deflations fall inside post-copy depends on how far the guest gets while pages arrive
        // (BalloonDeviceTest covers a frozen deflation deterministically). Whatever their number, none may
        // cost a network round trip: a deflated page is not pending, so it is neither requested nor sent,
        // and a request for it would have failed the guest ("absent but not expected").
        assertThat(destination.pressureDeflations()).isGreaterThanOrEqualTo(source.pressureDeflations());
        assertThat(report.transfer().pagesSent()).as("no ballooned page was sent, deflated or not")
                .isEqualTo(report.pages().guestPages() - report.balloon().sizePages());
        assertThat(report.phases().postcopyRequests()).as("page requests, all for pending pages")
                .isLessThanOrEqualTo(report.pages().guestPages() - report.balloon().sizePages());
        assertMemoryMatchesOutsideTheBalloons(config, MigrationMode.POSTCOPY, result);
    }

    /**
     * Post-copy that starts before the driver first woke: nothing is ballooned yet, so every page is pushed,
     * the untouched ones as zeros. Once every page arrived the balloon thaws and the driver inflates the
     * highest free pages, which must then be mapped like any page that arrived (a page pushed as zeros was
     * once left absent, and the inflation crashed the guest: "inflate of page N, which is absent").
     */
    @Test
    void postcopyBeforeTheFirstInflationLeavesEveryArrivedPageToTheBalloon() throws Exception {
        MachineConfig config = churn("on");
        LoopbackMigration.DigestedReference reference = digested(config);
        LoopbackMigration.Result result = LoopbackMigration.migrate(config,
                MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("push"), 1,
                LoopbackMigration.Options.defaults().withHoldAt(1).withProbe(Census::take).withDigest());
        MigrationReport report = result.report();
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(report.balloon().sizePages()).as("ballooned at the switch-over").isZero();
        assertThat(report.transfer().pagesSent()).as("every page pushed").isEqualTo(report.pages().guestPages());
        assertThat(result.destinationFailure()).isNull();
        assertThat(result.destination().result()).isEqualTo(reference.reference().outcome().result());
        assertThat(result.destination().console()).isEqualTo(reference.reference().outcome().console());
        assertThat(result.destinationDigest().ballooned().cardinality()).as("ballooned at the end").isGreaterThan(1_000);
        assertMemoryMatchesOutsideTheBalloons(config, MigrationMode.POSTCOPY, result);
    }

    /**
     * The oracle's memory comparison under DSB: every page of the migrated guest's RAM at its end equals the
     * unmigrated run's, except the pages ballooned on either side (the guest gave their contents up) and,
     * after post-copy or hybrid, the driver's own area (its state page, batch page, stack and bitmap): the
     * destination's balloon is frozen until every page arrived, so the driver's history there (inflations
     * refused, wake-up counters, the last batch, its stack's leftovers, which pages ended ballooned) may
     * legitimately differ from the unmigrated run's. Pre-copy leaves the balloon running on both ends, so
     * there the driver's area is compared too.
     */
    private static void assertMemoryMatchesOutsideTheBalloons(MachineConfig config, MigrationMode mode,
                                                              LoopbackMigration.Result result) {
        MemoryDigest expected = digested(config).digest();
        MemoryDigest actual = result.destinationDigest();
        PageBitmap mask = expected.balloonedEitherSide(actual);
        assertThat(mask.cardinality()).as("pages ballooned at the end").isGreaterThan(1_000);
        if (mode.hasPostcopyPhase()) {
            DriverArea area = DriverArea.of(config);
            mask.setRange(area.firstPage(), area.firstPage() + area.pages());
            System.out.println("masked too: the driver's area, " + area);
        }
        List<Long> differing = expected.differingPages(actual, mask);
        System.out.printf("memory: %d of %d pages masked (ballooned %d here, %d in the reference); differing "
                + "outside the mask: %s; in all: %d%n", mask.cardinality(), expected.pageCount(),
                actual.ballooned().cardinality(), expected.ballooned().cardinality(), differing,
                expected.differingPages(actual, new PageBitmap(expected.pageCount())).size());
        assertThat(differing).as("pages outside the balloons (and the driver's area) that differ").isEmpty();
    }

    /**
     * The balloon driver's own pages, as the guest lays them out at boot: the allocator's bitmap takes the
     * first pages after the image, and the driver's area (state, batch, 4 stack pages, its bitmap of
     * ballooned pages) is the allocator's first allocation, right after it.
     */
    record DriverArea(long firstPage, long pages) {
        static DriverArea of(MachineConfig config) {
            long page = GuestMemory.PAGE_SIZE;
            long freeStart = BootInfo.forImage(config.ramBytes(), LoopbackMigration.KERNEL, config.bootArgs())
                    .freeStart();
            long total = (config.ramBytes() - freeStart) / page;
            long allocatorBitmapPages = Math.ceilDiv(total, 8 * page);
            long allocatorPages = total - allocatorBitmapPages;
            long driverBitmapPages = Math.ceilDiv(Math.ceilDiv(allocatorPages, 64) * 8, page);
            return new DriverArea(freeStart / page + allocatorBitmapPages, 1 + 1 + 4 + driverBitmapPages);
        }
    }

    static LoopbackMigration.Reference reference(MachineConfig config) {
        return digested(config).reference();
    }

    static LoopbackMigration.DigestedReference digested(MachineConfig config) {
        return REFERENCES.computeIfAbsent(config, LoopbackMigration::digestedReference);
    }

    private static LoopbackMigration.Result migrate(MachineConfig config, MigrationConfig migration,
                                                    LoopbackMigration.Reference reference) throws Exception {
        List<Object> key = List.of(config, migration);
        LoopbackMigration.Result known = MIGRATIONS.get(key);
        if (known == null) {
            known = migrateOnce(config, migration, reference);
            MIGRATIONS.put(key, known);
        }
        return known;
    }

    private static LoopbackMigration.Result migrateOnce(MachineConfig config, MigrationConfig migration,
                                                        LoopbackMigration.Reference reference) throws Exception {
        long startAt = reference.finalProgress() / 3;
        LoopbackMigration.Result result = LoopbackMigration.migrate(config, migration, startAt,
                LoopbackMigration.Options.heldAt(reference).withProbe(Census::take).withDigest());
        System.out.printf("%s, %s: migration started at progress %d of %d%n%s%n", config.bootArgs().args().get("dsb"),
                migration.mode(), result.progressAtStart(), reference.finalProgress(),
                ReportJson.render(result.report()));
        return result;
    }

    /**
     * What the probe reads from a paused machine: the balloon's count, its ballooned pages, whether it is
     * frozen, the queries this host answered while frozen, and its pressure deflations since boot.
     */
    record Census(long deviceCount, long ballooned, boolean frozen, long frozenQueries, long pressureDeflations) {
        static byte[] take(Machine machine) {
            BalloonDevice balloon = machine.device(BalloonDevice.class).orElseThrow();
            BalloonStats stats = balloon.stats();
            return ByteBuffer.allocate(33).putLong(balloon.balloonPages())
                    .putLong(machine.memory().countPages(PageState.BALLOONED)).put((byte) (balloon.isFrozen() ? 1 : 0))
                    .putLong(stats.frozenQueries()).putLong(stats.pressureDeflations()).array();
        }

        static Census decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            return new Census(in.getLong(), in.getLong(), in.get() == 1, in.getLong(), in.getLong());
        }
    }
}
