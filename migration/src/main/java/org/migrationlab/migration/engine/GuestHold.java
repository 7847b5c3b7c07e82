package org.migrationlab.migration.engine;

import org.migrationlab.emulator.port.Migratable;

/**
 * Parks the source guest once its progress reaches a point, until the migration under way is over (the
 * {@code --hold-at} option). The guest runs live up to that point, so the rounds before it copy a working
 * guest; from there it waits, so that a guest which would finish before a slow migration switches over is
 * still caught live, whatever the machine's speed. A migration that fails lets the guest run on here; one that
 * completed leaves the source's copy frozen as it was.
 */
final class GuestHold {
    /** No hold. */
    static final long NONE = -1;
    private final Migratable guest;
    private boolean over; // guarded by this
    private long parkedAt = NONE; // guarded by this

    private GuestHold(Migratable guest) {
        this.guest = guest;
    }

    /** Arms the hold: the guest parks at {@code units} of progress (at its next pause if it is past). */
    static GuestHold arm(Migratable guest, long units) {
        GuestHold hold = new GuestHold(guest);
        if (units != NONE) {
            // Completed on the vCPU thread as the counter passes the point: the guest stops at its next pause.
            guest.progressReached(units).thenRun(hold::park);
        }
        return hold;
    }

    private synchronized void park() {
        if (!over) {
            parkedAt = guest.progress().units();
            guest.park(true);
        }
    }

    /** The migration is over: a parked guest that is still this side's runs on. */
    synchronized void release(boolean guestStaysHere) {
        over = true;
        if (parkedAt != NONE && guestStaysHere) {
            guest.park(false);
        }
    }

    /** The progress at which the guest was parked, or {@link #NONE} if it never was. */
    synchronized long parkedAt() {
        return parkedAt;
    }
}
