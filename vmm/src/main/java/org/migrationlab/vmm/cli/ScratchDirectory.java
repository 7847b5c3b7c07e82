package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of the commands' own scratch directories (the demo's, the warm-up's). */
final class ScratchDirectory {
    private ScratchDirectory() {
    }

    /** Deletes {@code dir} and all under it, as far as it can: a scratch directory left behind is harmless. */
    static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // not worth failing the command for
        }
    }
}
