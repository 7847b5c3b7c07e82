package org.migrationlab.vmm.labs;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.engine.InProcessMigration;
import org.migrationlab.migration.oracle.Oracle;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * What the checkers run: a guest unmigrated (the oracle's reference) and the same guest migrated with both
 * ends in this process over loopback, through the same engine as two processes.
 */
final class LabRig {
    private LabRig() {
    }

    /** The built-in kernel with its workloads. */
    static GuestImage kernel() {
        return ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    }

    /**
     * The built-in kernel's unmigrated runs, by machine: the guest is deterministic, so a run of the same
     * machine ends the same, and checking a lab twice in one process (a solution, then a starter) need not
     * repeat a run of many seconds.
     */
    private static final Map<MachineConfig, RunReport> KERNEL_REFERENCES = new ConcurrentHashMap<>();

    /** The guest run to its end without moving. */
    static RunReport reference(MachineConfig config, GuestImage image, String imageLabel) throws InterruptedException {
        return Oracle.referenceRun(BalloonedMachines.factory(), config, image, imageLabel, line -> { });
    }

    /** The built-in kernel on {@code config} run to its end without moving, once per process. */
    static RunReport kernelReference(MachineConfig config) throws InterruptedException {
        RunReport known = KERNEL_REFERENCES.get(config);
        if (known != null) {
            return known;
        }
        RunReport run = reference(config, kernel(), "built-in kernel");
        KERNEL_REFERENCES.putIfAbsent(config, run);
        return run;
    }

    /** A loopback link of {@code bitsPerSecond} (0: unlimited) with a fresh random secret. */
    static TransportConfig link(long bitsPerSecond) {
        return link(bitsPerSecond, 0);
    }

    /** The same, with {@code oneWayLatencyNanos} on what each end receives. */
    static TransportConfig link(long bitsPerSecond, long oneWayLatencyNanos) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return TransportConfig.of(secret).withLink(bitsPerSecond, oneWayLatencyNanos);
    }

    /** One migration; started once the guest's progress reached {@code startAt}. */
    static InProcessMigration.Outcome migrate(MachineConfig config, GuestImage image, MigrationConfig migration,
                                              TransportConfig link, long startAt) throws Exception {
        return InProcessMigration.run(BalloonedMachines.factory(), config, image, migration, link, startAt);
    }

    /**
     * As {@link #migrate}, the source's guest parked at {@code startAt} until the migration is over: it is
     * switched over where it stood at that point, however fast this machine ran it meanwhile.
     */
    static InProcessMigration.Outcome migrateHeld(MachineConfig config, GuestImage image, MigrationConfig migration,
                                                  TransportConfig link, long startAt) throws Exception {
        return InProcessMigration.run(BalloonedMachines.factory(), config, image, migration, link, link, startAt,
                startAt, InProcessMigration.Watcher.NONE);
    }

    /** What differs between the migrated guest's end and the reference's (result, status, memory hash). */
    static List<String> differences(RunReport reference, InProcessMigration.Outcome migrated) {
        List<String> differences = new ArrayList<>();
        if (!(reference.outcome() instanceof GuestOutcome.Halted expected)) {
            differences.add("the unmigrated guest did not halt: " + reference.outcome().word());
            return differences;
        }
        GuestEnd.Halted actual = migrated.destinationExit();
        if (expected.result() != actual.result()) {
            differences.add("result " + Long.toHexString(actual.result()) + " instead of "
                    + Long.toHexString(expected.result()));
        }
        if (expected.status() != actual.status()) {
            differences.add("status " + actual.status() + " instead of " + expected.status());
        }
        if (reference.memoryHash() != migrated.destinationHash()) {
            differences.add("memory hash " + GuestSummary.hex(migrated.destinationHash()) + " instead of "
                    + GuestSummary.hex(reference.memoryHash()));
        }
        return differences;
    }
}
