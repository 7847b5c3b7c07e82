package org.migrationlab.emulator.port;

import java.util.Objects;

/**
 * What {@link Migratable#freeze} captured at the pause that hands the guest over: its state, the pages
 * written since the last harvest (empty when no dirty log ran), its progress counter and its balloon.
 */
public record FrozenGuest(GuestState state, PageBitmap dirty, long progressUnits,
                          BalloonControl.BalloonFigures balloon) {
    public FrozenGuest {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(dirty, "dirty");
        Objects.requireNonNull(balloon, "balloon");
    }
}
