package org.migrationlab.migration.journal;

import java.io.IOException;

/**
 * Forces written files to the disk off the caller's thread. What the journal and the source's checkpoint
 * write is in the page cache as soon as the write returns, so it outlives the death of the process at once;
 * the disk flush (a few milliseconds, up to tens on a busy disk) only adds survival of the machine's crash,
 * and doing it here keeps it out of the migration's downtime. Requests that arrive while a flush runs are
 * served together by the next one, so at most one flush waits: nothing queues up however fast the caller
 * writes. The flushing thread (virtual) exists only while there is something to flush. A failed flush is kept
 * and thrown by the next {@link #request} (the caller's next write then fails, as a synchronous flush would
 * have made it) and by {@link #close}.
 */
public final class BackgroundForce implements AutoCloseable {
    /** One flush: fsync of a file, of a directory... */
    @FunctionalInterface
    public interface Flush {
        void force() throws IOException;
    }

    private final String name;
    private final Flush flush;
    private final FlushGate gate;
    private boolean running;
    private boolean requested;
    private boolean closed;
    private long requests;
    private long flushed;
    private IOException failure;

    /** Flushes with {@code flush} on a thread named {@code name}. */
    public BackgroundForce(String name, Flush flush) {
        this(name, flush, new FlushGate());
    }

    /** Flushes with {@code flush} on a thread named {@code name}, each flush once {@code gate} lets it. */
    public BackgroundForce(String name, Flush flush, FlushGate gate) {
        this.name = name;
        this.flush = flush;
        this.gate = gate;
    }

    /**
     * Asks for a flush of everything written so far; returns at once.
     *
     * @throws IOException the failure of an earlier flush
     */
    public synchronized void request() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        requests++;
        if (running) {
            requested = true; // the running flush may have begun before this write: one more follows it
            return;
        }
        running = true;
        Thread.ofVirtual().name(name).start(this::run);
    }

    /** Waits until every write before the last {@link #request} is on the disk (tests, and close). */
    public synchronized void awaitFlushed() throws IOException, InterruptedException {
        long target = requests;
        while (flushed < target && failure == null) {
            wait();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Refuses further requests and waits for the flush of what is pending. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            try {
                while (running) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                flush.force(); // not waited for the thread: flush here (a second flush is harmless)
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private void run() {
        while (true) {
            long upTo;
            synchronized (this) {
                requested = false;
                upTo = requests;
            }
            IOException failed = null;
            try {
                gate.awaitOpen();
            } catch (InterruptedException e) {
                // Flush now rather than never; the flag stays clear, as an interrupted FileChannel would close.
            }
            try {
                flush.force();
            } catch (IOException e) {
                failed = e;
            }
            synchronized (this) {
                if (failed != null && failure == null) {
                    failure = failed;
                }
                flushed = upTo;
                if (!requested || failure != null) {
                    running = false;
                    notifyAll();
                    return;
                }
                notifyAll();
            }
        }
    }
}
