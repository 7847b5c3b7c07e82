package org.migrationlab.vmm.render;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Hands a line to a consumer once a second, on its own daemon thread, until closed; the first line
 * comes after one second. The timer behind the progress printers.
 */
final class LineTicker implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 1000;
    private final ScheduledExecutorService timer;

    private LineTicker(String threadName, Supplier<String> line, Consumer<String> out) {
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> out.accept(line.get()), INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    static LineTicker start(String threadName, Supplier<String> line, Consumer<String> out) {
        return new LineTicker(threadName, line, out);
    }

    /** Stops; a line being printed is finished first. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
