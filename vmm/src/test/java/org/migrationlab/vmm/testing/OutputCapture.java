package org.migrationlab.vmm.testing;

import java.io.Writer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Captures a command's output and hands over its first line as soon as it is written, and tells when a
 * text has been written a given number of times.
 */
public final class OutputCapture extends Writer {
    private final StringBuilder text = new StringBuilder();
    public final CompletableFuture<String> firstLine = new CompletableFuture<>();
    private final Map<CompletableFuture<Void>, Map.Entry<String, Integer>> awaited = new HashMap<>();

    @Override
    public synchronized void write(char[] chars, int offset, int length) {
        text.append(chars, offset, length);
        int newline = text.indexOf("\n");
        if (newline >= 0) {
            firstLine.complete(text.substring(0, newline).strip());
        }
        awaited.entrySet().removeIf(e -> completeIfWritten(e.getKey(), e.getValue().getKey(), e.getValue().getValue()));
    }

    /** Completes once {@code fragment} has been written {@code times} times. */
    public synchronized CompletableFuture<Void> written(String fragment, int times) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!completeIfWritten(done, fragment, times)) {
            awaited.put(done, Map.entry(fragment, times));
        }
        return done;
    }

    private boolean completeIfWritten(CompletableFuture<Void> done, String fragment, int times) {
        int count = 0;
        for (int at = text.indexOf(fragment); at >= 0; at = text.indexOf(fragment, at + 1)) {
            count++;
        }
        return count >= times && done.complete(null);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public synchronized String toString() {
        return text.toString();
    }
}
