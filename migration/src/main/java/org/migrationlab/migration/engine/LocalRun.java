package org.migrationlab.migration.engine;

import java.util.concurrent.ExecutionException;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.report.RunReport;

/**
 * One guest run here from boot to end, never migrated: {@code vmm run}, and the unmigrated reference the
 * oracle compares migrated guests with.
 */
public final class LocalRun {
    /** Told of each step, on the calling thread. */
    public interface Observer {
        /** The guest is built but not started: the moment to echo its console or watch its progress. */
        default void booted(Migratable guest) {
        }

        /** The guest ended; its report follows. */
        default void ended(GuestEnd end, GuestSummary summary) {
        }
    }

    private LocalRun() {
    }

    /** Boots, runs to the end, reports. {@code imageLabel} is how the report names the image. */
    public static RunReport run(GuestFactory machines, MachineConfig config, GuestImage image, String imageLabel,
                                Observer observer) throws InterruptedException {
        try (Migratable guest = machines.boot(config, image)) {
            observer.booted(guest);
            long start = System.nanoTime();
            guest.start();
            GuestEnd end = guest.ended().get();
            long wallNanos = System.nanoTime() - start;
            GuestSummary summary = guest.summary().get();
            observer.ended(end, summary);
            return RunReport.of(config, imageLabel, end, summary, wallNanos);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the guest's vCPU failed: " + e.getCause(), e.getCause());
        }
    }
}
