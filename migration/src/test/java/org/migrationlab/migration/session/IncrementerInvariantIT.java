package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.reference.IncrementerReference;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.testing.LoopbackMigration;

/**
 * QEMU's migration check (its migration-test guest) on the {@code incrementer} guest: the first bytes of its pages
 * step down by one at most once, wherever the guest is stopped. A page that missed an update (a dirty
 * page not resent, a post-copy page from the wrong moment) stays off by a sweep forever and breaks it.
 * Checked on the source's frozen copy (what the destination resumed from) and on the destination,
 * paused as soon as every page had arrived; the migrated guest then runs on and ends as an unmigrated one.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class IncrementerInvariantIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(4L << 20, "incrementer", 31, "range=1M",
            "sweeps=4000");
    private static final Pattern RANGE = Pattern.compile("incrementer: range 0x([0-9a-f]+) pages (\\d+)");

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    /** A migration scheme with a readable name. */
    record Scheme(String name, MigrationConfig migration) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Scheme> schemes() {
        return Stream.of(
                new Scheme("pre-copy, stop policy downtime", MigrationConfig.defaults(MigrationMode.PRECOPY)),
                new Scheme("pre-copy, stop policy xen", MigrationConfig.defaults(MigrationMode.PRECOPY).withStopPolicy("xen")),
                new Scheme("post-copy, prepage bubble", MigrationConfig.defaults(MigrationMode.POSTCOPY)),
                new Scheme("post-copy, demand only",
                        MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("none")),
                new Scheme("hybrid, prepage bubble", MigrationConfig.defaults(MigrationMode.HYBRID)),
                new Scheme("hybrid, demand only", MigrationConfig.defaults(MigrationMode.HYBRID).withPrepage("none")));
    }

    /** The first byte of every page of the range the guest printed, read while its vCPU is paused. */
    static byte[] firstBytesOfRange(Machine machine) {
        Matcher range = RANGE.matcher(machine.console().text());
        if (!range.find()) {
            throw new AssertionError("the incrementer did not print its range: " + machine.console().text());
        }
        long gpa = Long.parseLong(range.group(1), 16);
        int pages = Integer.parseInt(range.group(2));
        byte[] firstBytes = new byte[pages];
        for (int p = 0; p < pages; p++) {
            firstBytes[p] = machine.memory().ram().readByte(gpa + (long) p * 4096);
        }
        return firstBytes;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void invariantHoldsWhereTheMigratedGuestResumed(Scheme scheme) throws Exception {
        LoopbackMigration.Reference reference = MigrationOracleIT.reference(GUEST);
        long startAt = reference.finalProgress() / 4;
        // Held short of its end until the switch-over: the short run cannot end before it.
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST, scheme.migration(), startAt,
                LoopbackMigration.Options.heldAt(reference).withProbe(IncrementerInvariantIT::firstBytesOfRange));

        assertThat(result.report().completed()).as("completed: %s", result.report().error()).isTrue();
        assertThat(result.haltedBeforeSwitchOver()).as("the guest had already ended at the switch-over").isFalse();
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        assertThat(IncrementerReference.invariantHolds(result.sourceProbe()))
                .as("invariant on the source's frozen copy: %s", describe(result.sourceProbe())).isTrue();
        assertThat(IncrementerReference.invariantHolds(result.destinationProbe()))
                .as("invariant on the destination: %s", describe(result.destinationProbe())).isTrue();
        assertThat(result.destination()).as("the migrated guest's end (status 0: its own check passed)")
                .isEqualTo(reference.outcome());
    }

    /** The pages where the first byte changes, for a failure message. */
    private static String describe(byte[] firstBytes) {
        StringBuilder steps = new StringBuilder("first byte of page 0 is " + (firstBytes[0] & 0xff) + "; steps:");
        for (int p = 1; p < firstBytes.length; p++) {
            if (firstBytes[p] != firstBytes[p - 1]) {
                steps.append(" page ").append(p).append(": ").append(firstBytes[p - 1] & 0xff).append(" -> ")
                        .append(firstBytes[p] & 0xff);
            }
        }
        return steps.toString();
    }
}
