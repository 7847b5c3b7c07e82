package org.migrationlab.migration.journal;

import java.nio.file.Path;

/** Where each side's journal lives in a state directory: one file per side, so each has one writer. */
public final class JournalFiles {
    public static final String SUFFIX = ".journal";

    private JournalFiles() {
    }

    public static Path of(Path stateDir, Owner side) {
        return stateDir.resolve(side.label() + SUFFIX);
    }
}
