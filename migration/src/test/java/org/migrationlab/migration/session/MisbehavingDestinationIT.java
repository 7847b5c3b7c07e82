package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.FakeDestination;
import org.migrationlab.migration.testing.FakeDestination.Behaviour;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.HandshakeHandler;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * The source never loses a guest it still owns (PROTOCOL §5.1): whatever a destination does before it
 * resumed the guest — hang up, reset, abort, send garbage or records out of turn, stall, stay silent,
 * prove a wrong secret or speak another version — the source's report says "failed" with the reason,
 * and its guest runs on and ends exactly as an unmigrated run of the same seed.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class MisbehavingDestinationIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 21, "wss=4M", "pattern=random",
            "passes=600");
    private static final byte[] WRONG_SECRET = "not-the-secret-of-this-migration".getBytes(StandardCharsets.UTF_8);
    /** Short waits, so a silent or stalled destination is given up quickly (while the guest still runs). */
    private static final TransportConfig SOURCE = new TransportConfig(LoopbackMigration.SECRET, Optional.empty(), 0, 0,
            5_000, 300);
    /**
     * A guest whose every page holds data, so a pre-copy round is far more than the socket buffers take:
     * a destination that stops reading really stalls the source, and one that acts after a few frames acts
     * before the source can have sent SWITCH_OVER (with GUEST, whose pages are mostly zero, the whole pre-copy
     * fit in the buffers, and a reset could come after the switch-over, which the source must then not take
     * as proof of anything: it redialled until its recover timeout).
     */
    private static final MachineConfig LARGE_GUEST = LoopbackMigration.config(32L << 20, "wss", 22, "wss=24M",
            "pattern=seq", "write-ratio=1", "passes=100");
    // Both guests are held short of their end until the migration failed (LoopbackMigration.Options#holdAt),
    // so their runs can be short and still outlast a migration that fails only after a 300 ms timeout.
    private static final Map<MachineConfig, LoopbackMigration.Reference> REFERENCES = new ConcurrentHashMap<>();

    private static LoopbackMigration.Reference reference(MachineConfig guest) {
        return REFERENCES.computeIfAbsent(guest, LoopbackMigration::reference);
    }

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    /** A misbehaving destination, the scheme, and what the source's error must say (a regular expression). */
    record Case(Behaviour behaviour, MigrationMode mode, MachineConfig guest, String error) {
        Case(Behaviour behaviour, MigrationMode mode, String error) {
            this(behaviour, mode, GUEST, error);
        }

        @Override
        public String toString() {
            return mode.name().toLowerCase() + ", destination " + behaviour.name().toLowerCase().replace('_', ' ');
        }
    }

    /** A hang-up reaches the source as an end of stream, or as a reset when it still had bytes in flight. */
    private static final String HUNG_UP = "the destination closed the BULK connection|Connection reset|Broken pipe";

    static Stream<Case> cases() {
        return Stream.of(
                new Case(Behaviour.CLOSE_BEFORE_CONFIG, MigrationMode.PRECOPY, HUNG_UP),
                new Case(Behaviour.CLOSE_AFTER_PAGES, MigrationMode.PRECOPY, LARGE_GUEST, HUNG_UP),
                new Case(Behaviour.RESET_AFTER_PAGES, MigrationMode.PRECOPY, LARGE_GUEST,
                        "Connection reset|Broken pipe"),
                new Case(Behaviour.ABORT_AFTER_PAGES, MigrationMode.PRECOPY, LARGE_GUEST,
                        literal("the peer aborted: BAD_CRC: page 42: CRC32C mismatch")),
                new Case(Behaviour.GARBAGE_AFTER_PAGES, MigrationMode.PRECOPY, LARGE_GUEST,
                        "^(MALFORMED|UNKNOWN_RECORD): "),
                new Case(Behaviour.PAGE_REQUEST_DURING_PRECOPY, MigrationMode.PRECOPY, LARGE_GUEST,
                        // on the bulk connection, where page requests never belong when there is an urgent one
                        literal("UNEXPECTED_RECORD: PAGE_REQUEST from the destination on the BULK connection")),
                new Case(Behaviour.RESUMED_BEFORE_SWITCH_OVER, MigrationMode.PRECOPY,
                        literal("UNEXPECTED_RECORD: RESUMED from the destination")),
                new Case(Behaviour.STALL_AFTER_PAGES, MigrationMode.PRECOPY, LARGE_GUEST,
                        literal("BULK channel stayed full for 300 ms")),
                new Case(Behaviour.SILENT, MigrationMode.PRECOPY, literal("TIMEOUT: no READY within 300 ms")),
                new Case(Behaviour.SILENT, MigrationMode.HYBRID, literal("TIMEOUT: no READY within 300 ms")),
                new Case(Behaviour.SILENT, MigrationMode.POSTCOPY, literal("TIMEOUT: no READY within 300 ms")));
    }

    private static String literal(String text) {
        return Pattern.quote(text);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sourceGuestRunsOnUnharmed(Case c) throws Exception {
        LoopbackMigration.Result result;
        try (FakeDestination destination = new FakeDestination(c.behaviour(), LoopbackMigration.SECRET,
                Hello.CURRENT_VERSION, 7)) {
            result = migrateTo(destination, c.guest(), c.mode());
            System.out.println(c + ": " + result.report().error() + "\n  destination: " + destination.log());
        }
        assertFailedAndGuestUnharmed(result, c.guest(), c.error());
    }

    @Test
    void sourceRefusesDestinationProvingWrongSecret() throws Exception {
        LoopbackMigration.Result result;
        try (FakeDestination destination = new FakeDestination(Behaviour.SILENT, WRONG_SECRET,
                Hello.CURRENT_VERSION, 7)) {
            result = migrateTo(destination, GUEST, MigrationMode.PRECOPY);
        }
        assertFailedAndGuestUnharmed(result, GUEST, literal("the peer's proof of the shared secret is wrong"));
    }

    @Test
    void sourceRefusesDestinationOfAnotherVersion() throws Exception {
        LoopbackMigration.Result result;
        try (FakeDestination destination = new FakeDestination(Behaviour.SILENT, LoopbackMigration.SECRET,
                Hello.CURRENT_VERSION + 1, 7)) {
            result = migrateTo(destination, GUEST, MigrationMode.PRECOPY);
        }
        assertFailedAndGuestUnharmed(result, GUEST, literal("protocol version " + (Hello.CURRENT_VERSION + 1) + " is not supported; this end accepts ["
                + Hello.OLDEST_ACCEPTED_VERSION + ", " + Hello.CURRENT_VERSION + "]"));
    }

    @Test
    void destinationWithAnotherSecretRefusesSourceAndGuestRunsOn() throws Exception {
        LoopbackMigration.Reference reference = reference(GUEST);
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST,
                MigrationConfig.defaults(MigrationMode.PRECOPY), reference.finalProgress() / 4,
                LoopbackMigration.Options.heldAt(reference).withTransports(SOURCE, TransportConfig.of(WRONG_SECRET)));
        assertFailedAndGuestUnharmed(result, GUEST, literal("the peer aborted: AUTH_FAILED"));
        assertThat(result.destinationFailure()).as("no destination session for an unauthenticated source").isNull();
    }

    private static LoopbackMigration.Result migrateTo(FakeDestination destination, MachineConfig guest,
                                                     MigrationMode mode) throws Exception {
        LoopbackMigration.Reference reference = reference(guest);
        return LoopbackMigration.migrateTo(destination.address(), null, guest, MigrationConfig.defaults(mode),
                reference.finalProgress() / 4, LoopbackMigration.Options.heldAt(reference).withTransports(SOURCE, SOURCE));
    }

    private static void assertFailedAndGuestUnharmed(LoopbackMigration.Result result, MachineConfig guest,
                                                     String errorPattern) {
        LoopbackMigration.Reference reference = reference(guest);
        MigrationReport report = result.report();
        assertThat(report.status()).isEqualTo("failed");
        assertThat(report.error()).containsPattern(errorPattern).endsWith("(the guest keeps running on the source)");
        assertThat(result.progressAtReport()).as("the guest had not ended when the migration failed")
                .isLessThan(result.finalProgress());
        assertThat(result.source()).as("the source guest's end").isEqualTo(reference.outcome());
        assertThat(result.finalProgress()).isEqualTo(reference.finalProgress());
    }
}
