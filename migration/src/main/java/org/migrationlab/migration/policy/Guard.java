package org.migrationlab.migration.policy;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The fallback state of one guarded policy: calls go to the loaded policy until the first failure, then
 * never again; the failure is told once to the notices and kept for the report. Safe to read from any
 * thread; the calls come from one thread at a time.
 */
final class Guard {
    private final String label;
    private final String fallbackName;
    private final long timeoutNanos;
    private final Consumer<String> notices;
    private volatile String fallback;

    Guard(String label, String fallbackName, long timeoutNanos, Consumer<String> notices) {
        this.label = Objects.requireNonNull(label, "label");
        this.fallbackName = Objects.requireNonNull(fallbackName, "fallbackName");
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("a policy call's time limit must be positive: " + timeoutNanos);
        }
        this.timeoutNanos = timeoutNanos;
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    boolean fellBack() {
        return fallback != null;
    }

    /** Why the loaded policy was dropped, with what took over; null while it is in use. */
    String fallbackReason() {
        return fallback;
    }

    /** The call's answer, or null when it failed (the guard has then fallen back) or had already failed. */
    <T> T call(String what, Callable<T> call) throws InterruptedException {
        if (fellBack()) {
            return null;
        }
        try {
            T answer = PolicyCalls.call(call, timeoutNanos);
            if (answer == null) {
                fail(what + " answered null");
            }
            return answer;
        } catch (PolicyFailure e) {
            fail(e.getMessage().startsWith("constructor") ? e.getMessage() : what + " " + e.getMessage());
            return null;
        }
    }

    /** Drops the loaded policy for good; the first reason wins. */
    synchronized void fail(String reason) {
        if (fallback != null) {
            return;
        }
        fallback = label + " " + reason + "; fell back to the built-in '" + fallbackName + "'";
        notices.accept(fallback);
    }

    /** The label, with the fallback when there was one: what the report names as the policy. */
    String describe() {
        String reason = fallback;
        return reason == null ? label : label + " (" + reason + ")";
    }
}
