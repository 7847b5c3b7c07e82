package org.migrationlab.migration.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Step mode's guest slice on a real migration: held before a pre-copy round, the source's guest stands still;
 * each guest-slice step lets it make exactly one slice of progress and park again while the migration stays
 * held; a round stepped through runs the guest as a live round does, and it parks again when the migration is
 * held after it; and the stepped migration still ends as the unmigrated run (result, console, memory hash).
 *
 * <p>Exactly, not merely at least: the incrementer reports its progress in batches of 64 pages and its range
 * is a whole number of batches, so every report adds 64 and a slice of three batches ends at a report; the
 * guest parks at the report that reaches the slice's end.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class GuestSliceIT {
    /** Enough sweeps of the range's 512 pages that the guest, running in each stepped round, outlives them. */
    private static final int SWEEPS = 20000;
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "incrementer", 73, "range=2M",
            "sweeps=" + SWEEPS);
    private static final long SLICE = 3 * 64;
    /** Round 0 (16 MiB) takes some 0.7 s; a slice's dirty pages take far longer than the downtime target. */
    private static final long BANDWIDTH_BITS = 200_000_000;
    private static final long WAIT_MILLIS = 30_000;
    /** How long a parked guest is watched to see that it stands still. */
    private static final long STILL_MILLIS = 300;

    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void unmigratedRun() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    @Test
    void eachGuestSliceAdvancesThePausedGuestBySliceUnitsAndTheMigrationEndsAsTheUnmigratedRun() throws Exception {
        Stepper stepper = new Stepper(true, SLICE);
        AtomicReference<Migratable> source = new AtomicReference<>();
        TransportConfig link = TransportConfig.of(LoopbackMigration.SECRET).withLink(BANDWIDTH_BITS, 0);
        LoopbackMigration.Options options = LoopbackMigration.Options.defaults().withTransports(link, link)
                .withSteps(stepper).withSourceMachines(machine -> {
                    source.set(machine);
                    return machine;
                });
        // A downtime target of 1 ms over this link: a round after which the guest dirtied a slice's pages is
        // followed by another (they would take some 30 ms), so the rounds go on while the slices dirty pages.
        // At most four rounds, the last the stop-and-copy: once run, the migration ends soon, the guest still live.
        MigrationConfig precopy = MigrationConfig.defaults(MigrationMode.PRECOPY).withDowntimeTarget(1)
                .withLimits(new PrecopyLimits(4, PrecopyLimits.DEFAULTS.throttleInitialPercent(),
                        PrecopyLimits.DEFAULTS.throttleIncrementPercent()));
        CompletableFuture<LoopbackMigration.Result> migration = CompletableFuture.supplyAsync(() -> {
            try {
                return LoopbackMigration.migrate(GUEST, precopy, reference.finalProgress() / 4, options);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });

        assertThat(stepper.awaitHeld(WAIT_MILLIS)).as("held before round 0").isEqualTo(Step.PRECOPY_ROUND);
        Migratable guest = source.get();
        assertThat(guest).isNotNull();
        long units = guest.progress().units();
        assertStandsStill(guest, units, "parked while the migration is paused");
        for (int slice = 1; slice <= 3; slice++) {
            units = takeSlice(stepper, guest, units);
        }
        assertThat(stepper.passed()).as("the migration stayed where it was held").isZero();
        assertStandsStill(guest, units, "parked again after its slices");

        stepper.command(new StepCommand.Advance(Step.PRECOPY_ROUND)); // round 0: every page
        awaitHeldAfter(stepper, 1);
        long afterRound = settled(guest);
        assertThat(afterRound).as("a stepped round runs the guest, as a live round does").isGreaterThan(units);
        assertStandsStill(guest, afterRound, "parked again, held before round 1");
        takeSlice(stepper, guest, afterRound);
        stepper.command(new StepCommand.Advance(Step.PRECOPY_ROUND)); // round 1: what the guest dirtied
        awaitHeldAfter(stepper, 2);
        assertThat(stepper.slices()).isEqualTo(4);

        stepper.command(new StepCommand.Run());
        LoopbackMigration.Result result = migration.get(100, TimeUnit.SECONDS);
        MigrationReport report = result.report();
        assertThat(report.completed()).as(report.error()).isTrue();
        assertThat(report.scheme().guestEndedBeforeSwitchOver()).as("a live guest was migrated").isFalse();
        assertThat(result.destination()).as("the oracle: result, console and memory hash")
                .isEqualTo(reference.outcome());
        // Round 0 sent every page; what the guest dirtied meanwhile and in its slices, round 1 sends.
        var rounds = report.convergence().rounds();
        assertThat(rounds.get(0).dirtyPages()).as("round 0's dirty pages: at least the three slices' 512")
                .isGreaterThanOrEqualTo(512L);
        assertThat(rounds.get(1).pages()).as("round 1 sends them").isEqualTo(rounds.get(0).dirtyPages());
    }

    /** One guest-slice step: the guest runs exactly one slice, parks, and the migration stays held. */
    private static long takeSlice(Stepper stepper, Migratable guest, long before) throws Exception {
        long taken = stepper.slices();
        stepper.command(new StepCommand.Advance(Step.GUEST_SLICE));
        CompletableFuture<Long> slice = stepper.lastSlice();
        assertThat(slice).isNotNull();
        long after = slice.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(after).as("one slice from %d", before).isEqualTo(before + SLICE);
        assertThat(guest.progress().units()).isEqualTo(after);
        assertThat(stepper.slices()).isEqualTo(taken + 1);
        assertThat(stepper.waitingAt()).as("the migration is still held").isEqualTo(Step.PRECOPY_ROUND);
        return after;
    }

    /**
     * The guest's progress once it has stopped: a park takes effect at the guest's next clean pause, a moment
     * after the session thread came to hold, so the counter is read until it stays put for a while (bounded).
     */
    private static long settled(Migratable guest) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        long units = guest.progress().units();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = guest.progress().units();
            if (now == units) {
                return now;
            }
            units = now;
        }
        throw new AssertionError("the guest did not stop: still at " + units);
    }

    private static void assertStandsStill(Migratable guest, long units, String why) {
        assertThatThrownBy(() -> guest.progressReached(units + 1).get(STILL_MILLIS, TimeUnit.MILLISECONDS))
                .as(why).isInstanceOf(TimeoutException.class);
        assertThat(guest.progress().units()).as(why).isEqualTo(units);
    }

    /** Waits (bounded) until {@code passed} step points went and the session thread is held at the next one. */
    private static void awaitHeldAfter(Stepper stepper, long passed) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while ((stepper.passed() < passed || stepper.waitingAt() == null) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(stepper.passed()).isEqualTo(passed);
        assertThat(stepper.waitingAt()).isEqualTo(Step.PRECOPY_ROUND);
    }
}
