package org.migrationlab.emulator.unicorn;

/** A hook threw; the engine was stopped and the original failure is the cause. */
public final class HookFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HookFailureException(Throwable cause) {
        super("a hook failed during emulation: " + cause, cause);
    }
}
