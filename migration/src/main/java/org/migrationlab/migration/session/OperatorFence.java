package org.migrationlab.migration.session;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operator's fence (docs/FAULTS.md): word from outside that the destination is dead for good, so that a
 * source in postcopy-paused may resume its own paused copy instead of redialling until the recover timeout.
 * The source cannot tell a dead destination from a cut-off one; only someone who knows it will never come back
 * may say so, and a fence given to a destination that still runs the guest runs it twice (split brain).
 *
 * <p>A session holds the fence while it redials (the only time it holds a paused copy it may resume) and
 * takes a request there; any other time a request is refused at once, saying why.
 */
public final class OperatorFence {
    /** What the source did with a request. */
    public sealed interface Answer {
        /** The guest runs on the source again, as of the switch-over. */
        record RolledBack(UUID migrationId, String detail) implements Answer {
        }

        record Refused(String why) implements Answer {
        }
    }

    /** A request the session took: it answers it once the guest runs again (or could not). */
    record Request(Optional<UUID> migrationId, String reason, CompletableFuture<Answer> answer) {
    }

    private UUID held; // the migration that redials; null when none (guarded by this)
    private Request pending; // guarded by this

    /**
     * Asks the source to roll back. Blocks until the session answered, at most {@code timeoutMillis} (a
     * reconnection attempt under way is finished first).
     *
     * @param migrationId the migration meant, or empty for the one this source has paused
     */
    public Answer request(Optional<UUID> migrationId, String reason, long timeoutMillis) throws InterruptedException {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(reason, "reason");
        Request request;
        synchronized (this) {
            if (held == null) {
                return new Answer.Refused("no migration of this source is in postcopy-paused: it holds no paused"
                        + " copy it may resume (a fence applies only while the source redials a lost destination)");
            }
            if (migrationId.isPresent() && !migrationId.get().equals(held)) {
                return new Answer.Refused("migration " + migrationId.get() + " is not the one this source has paused ("
                        + held + ")");
            }
            if (pending != null) {
                return new Answer.Refused("a fence for migration " + held + " is already being carried out");
            }
            request = new Request(migrationId, reason, new CompletableFuture<>());
            pending = request;
            notifyAll();
        }
        try {
            return request.answer().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return new Answer.Refused("the source failed to carry out the fence: " + e.getCause());
        } catch (TimeoutException e) {
            return new Answer.Refused("the source did not answer within " + timeoutMillis + " ms (it may still carry"
                    + " the fence out: see its report)");
        }
    }

    /** The session starts redialling {@code migrationId}: from now on a request is taken. */
    synchronized void hold(UUID migrationId) {
        held = Objects.requireNonNull(migrationId, "migrationId");
    }

    /**
     * Waits up to {@code nanos} for a request (the redial's backoff); returns it, now the session's to answer,
     * or null when none came.
     */
    synchronized Request await(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (pending == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        Request taken = pending;
        pending = null;
        held = null; // taken: a second request is refused, the session no longer redials
        return taken;
    }

    /** A request that came, without waiting; null when none. */
    synchronized Request poll() throws InterruptedException {
        return pending == null ? null : await(0);
    }

    /** The session stops redialling (recovered, or gave up): a request not yet taken is refused. */
    synchronized void release(String why) {
        held = null;
        if (pending != null) {
            pending.answer().complete(new Answer.Refused(why));
            pending = null;
        }
    }
}
