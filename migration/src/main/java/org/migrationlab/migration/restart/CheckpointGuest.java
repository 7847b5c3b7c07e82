package org.migrationlab.migration.restart;

import java.lang.foreign.MemorySegment;

import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.port.PageSink;

/**
 * The guest of a source checkpoint made runnable again: a new machine gets every page of the stored RAM and
 * the frozen CPU, device and balloon state, exactly as a destination restores a pre-copied guest. A restarted
 * source runs it when the destination proves it never ran the guest (or lost it): the rollback to the
 * switch-over of a source that died there (docs/FAULTS.md).
 */
public final class CheckpointGuest {
    private CheckpointGuest() {
    }

    /**
     * A machine of {@code stored}'s config, built by {@code machines}, holding its pages and restored to
     * {@code state}; not yet started (start it with no absent pages: every page is present).
     */
    public static Migratable restore(GuestFactory machines, Migratable stored, GuestState state) {
        Migratable machine = machines.empty(stored.config());
        try {
            PageBitmap ballooned = state.ballooned();
            PageSink copy = new PageSink() {
                @Override
                public void zeroPage(long page) {
                    machine.installZeroPage(page);
                }

                @Override
                public void dataPage(long page, MemorySegment view) {
                    machine.installPage(page, into -> into.copyFrom(view));
                }
            };
            for (long page = 1; page < stored.pageCount(); page++) { // page 0 is the null guard
                if (!ballooned.get(page)) {
                    stored.readPage(page, copy);
                }
            }
            machine.restore(state, new PageBitmap(stored.pageCount()));
            return machine;
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }
}
