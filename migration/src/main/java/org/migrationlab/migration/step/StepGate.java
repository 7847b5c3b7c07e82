package org.migrationlab.migration.step;

/** Where the session thread asks to pass a step point; the engine's only view of step mode. */
@FunctionalInterface
public interface StepGate {
    /** Never holds anything: migrations without step mode. */
    StepGate OPEN = point -> { };

    /** Returns once the migration may take the step {@code point}; the session thread waits here when paused. */
    void pass(Step point) throws InterruptedException;

    /**
     * The migration of the source's {@code guest} starts (after its trigger, before the first session): a gate
     * that steps the guest parks it while the migration is paused. Called by the source's engine, once.
     */
    default void migrating(SteppedGuest guest) {
    }

    /**
     * The migration is over: the gate lets go of the guest; one it parked that is still this side's
     * ({@code guestStaysHere}: the migration failed before the switch-over) runs on.
     */
    default void over(boolean guestStaysHere) {
    }
}
