package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.machine.MachineProbes;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.engine.OutgoingMigration;
import org.migrationlab.migration.engine.SourceOutcome;
import org.migrationlab.migration.engine.StartTrigger;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.FakeDestination;
import org.migrationlab.migration.testing.FakeDestination.Behaviour;
import org.migrationlab.migration.testing.ForwardingMigratable;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.MachineDecorator;
import org.migrationlab.migration.testing.MemoryDigest;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A destination that took the guest (it said RESUMED after the SWITCH_OVER) and then misbehaves, against a
 * real source: a page request beyond the guest's RAM, the same request twice, statistics that do not decode,
 * silence, a connection that stops reading. The source fails with the typed reason, never resumes its own
 * copy (the guest is the destination's now: two running copies would be worse than none) and keeps it
 * whole until the engine closes it: it has not ended, and its RAM is still read, page by page, after the
 * failure. A duplicated request is answered once.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class HostileAfterSwitchOverIT {
    /**
     * A guest whose pages hold data, so the push is far more than the socket buffers take (from its first pass
     * on); the same guest as OneRunningCopyIT's, so that one unmigrated run serves both.
     */
    private static final MachineConfig GUEST = LoopbackMigration.config(32L << 20, "wss", 31, "wss=24M",
            "pattern=seq", "write-ratio=1", "passes=150");
    /** The timeout is the expected result of the silent and stalled cases, so it is short. */
    private static final TransportConfig SOURCE = new TransportConfig(LoopbackMigration.SECRET, Optional.empty(), 0, 0,
            5_000, 300);

    /** A misbehaviour and the start of the source's error. */
    record Case(Behaviour behaviour, String error) {
        @Override
        public String toString() {
            return behaviour.name().toLowerCase().replace('_', ' ');
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(Behaviour.REQUEST_BEYOND_RAM_AFTER_RESUMED, "BAD_PAGE: request for page 1099511627776 of 8192"),
                new Case(Behaviour.DUPLICATE_REQUESTS_AFTER_RESUMED, "TIMEOUT: no COMPLETE within 300 ms"),
                new Case(Behaviour.GARBAGE_STATS_AFTER_RESUMED, "MALFORMED: negative destination statistics"),
                new Case(Behaviour.SILENT_AFTER_RESUMED, "TIMEOUT: no COMPLETE within 300 ms"),
                new Case(Behaviour.STALL_AFTER_RESUMED, "BULK channel stayed full for 300 ms"));
    }

    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theSourceFailsTypedAndKeepsItsPausedCopy(Case c) throws Exception {
        SourceWatch watch = new SourceWatch();
        SourceOutcome outcome;
        FakeDestination destination = new FakeDestination(c.behaviour(), LoopbackMigration.SECRET,
                Hello.CURRENT_VERSION, 7);
        try (destination; MigrationClient client = new MigrationClient(SOURCE)) {
            MigrationConfig postcopy = MigrationConfig.defaults(MigrationMode.POSTCOPY).withUrgentChannel(false);
            outcome = OutgoingMigration.run(new OutgoingMigration.Request(
                    new MachineDecorator(LoopbackMigration.MACHINES, watch::watching), GUEST,
                    LoopbackMigration.KERNEL, new StartTrigger.AtProgress(reference.finalProgress() / 4), postcopy,
                    client, destination.address(), SOURCE.replyTimeoutMillis()), watch);
        }
        assertThat(outcome).as("failed").isInstanceOf(SourceOutcome.Failed.class);
        SourceOutcome.Failed failed = (SourceOutcome.Failed) outcome;
        MigrationReport report = failed.report();
        System.out.println(c + ": " + report.error() + "\n  destination: " + destination.log());
        assertThat(failed.ranOnHere()).as("the guest is the destination's: it does not run on here").isEmpty();
        assertThat(report.error()).startsWith(c.error()).endsWith("(after the switch-over: the destination runs "
                + "the guest; the source keeps its paused copy)");
        assertThat(watch.endedAtFailure).as("the source's copy did not run to its end").isFalse();
        assertThat(watch.resumes).as("the engine never resumed the source's copy").isZero();
        assertThat(watch.digest.pageHashes()).as("its RAM is still whole, page by page")
                .hasSize((int) (GUEST.ramBytes() / 4096));
        assertThat(watch.progressAtFailure).as("a live guest: stopped before its end")
                .isLessThan(reference.finalProgress());
        if (c.behaviour() == Behaviour.DUPLICATE_REQUESTS_AFTER_RESUMED) {
            assertThat(destination.log()).anySatisfy(line -> assertThat(line)
                    .startsWith("page " + FakeDestination.DUPLICATE_PAGE + " arrived 1 times"));
        }
    }

    /**
     * Counts the engine's resumes of the source's guest, and looks at the guest when the migration failed,
     * before the engine closes it.
     */
    private static final class SourceWatch implements OutgoingMigration.Observer {
        private Migratable guest;
        volatile int resumes;
        boolean endedAtFailure;
        long progressAtFailure;
        MemoryDigest digest;

        Migratable watching(Migratable machine) {
            return new ForwardingMigratable(machine) {
                @Override
                public java.util.concurrent.CompletableFuture<Void> resume() {
                    resumes++;
                    return super.resume();
                }
            };
        }

        @Override
        public void booted(Migratable booted) {
            guest = ForwardingMigratable.unwrap(booted);
        }

        @Override
        public void migrating(long progressUnits, MigrationProgress progress) {
        }

        @Override
        public void migrated(MigrationReport report) {
            endedAtFailure = guest.ended().isDone();
            progressAtFailure = guest.progress().units();
            // Parked first: a probe lifts a freeze, and the copy must not run on for being looked at.
            guest.park(true);
            try {
                digest = MachineProbes.read(guest, MemoryDigest::of).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("could not read the source's paused copy", e);
            }
        }
    }
}
