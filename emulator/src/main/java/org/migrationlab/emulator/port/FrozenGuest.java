package org.migrationlab.emulator.port;

import java.util.Objects;

/**
 * What {@link Migratable#freeze} captured at the pause that hands the guest over: its state, the pages
 * written since the last harvest (empty when no dirty log ran), its progress counter, its balloon, and
 * the page faults write-protect dirty logging cost it (what tells the two ways of logging apart).
 *
 * @param dirtyLogFaults write-protect faults the guest took since it booted (dirty logging runs only while
 *                       it migrates out); 0 when writes were logged by dirty bits
 * @param stoppedAtNanos {@link System#nanoTime()} when the vCPU had stopped, before the capture began: where
 *                       the guest's downtime starts, which the caller alone cannot see
 */
public record FrozenGuest(GuestState state, PageBitmap dirty, long progressUnits,
                          BalloonControl.BalloonFigures balloon, long dirtyLogFaults, long stoppedAtNanos) {
    public FrozenGuest {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(dirty, "dirty");
        Objects.requireNonNull(balloon, "balloon");
        if (dirtyLogFaults < 0) {
            throw new IllegalArgumentException("negative dirty-log faults: " + dirtyLogFaults);
        }
    }
}
