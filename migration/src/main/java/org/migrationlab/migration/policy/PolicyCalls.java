package org.migrationlab.migration.policy;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one call into a loaded policy with a time limit, on a small shared pool of daemon threads. Java
 * cannot stop a thread that never returns, so a call that runs too long is interrupted and abandoned, and
 * its caller falls back for good; the pool's bound keeps abandoned calls from taking more than a few
 * threads, and a call that finds no free thread fails like a slow one.
 */
final class PolicyCalls {
    /** Threads in all: enough for the policies of a few migrations at once, few enough to bound a leak. */
    static final int MAX_THREADS = 8;

    private static final ThreadPoolExecutor POOL = pool();

    private PolicyCalls() {
    }

    private static ThreadPoolExecutor pool() {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, "policy-call-" + count.incrementAndGet());
            thread.setDaemon(true); // an abandoned endless call must not keep the JVM alive
            return thread;
        });
    }

    /** The call's answer, or a {@link PolicyFailure} saying in words what went wrong. */
    static <T> T call(Callable<T> call, long timeoutNanos) throws PolicyFailure, InterruptedException {
        Future<T> future;
        try {
            future = POOL.submit(call);
        } catch (RejectedExecutionException e) {
            throw new PolicyFailure("found no free thread (" + MAX_THREADS + " calls that never returned hold them)");
        }
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new PolicyFailure("did not return within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PolicyFailure failure) {
                throw failure;
            }
            throw new PolicyFailure("threw " + cause.getClass().getName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }
}
