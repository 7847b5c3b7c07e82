package org.migrationlab.migration.step;

/** Where the session thread asks to pass a step point; the engine's only view of step mode. */
@FunctionalInterface
public interface StepGate {
    /** Never holds anything: migrations without step mode. */
    StepGate OPEN = point -> { };

    /** Returns once the migration may take the step {@code point}; the session thread waits here when paused. */
    void pass(Step point) throws InterruptedException;
}
