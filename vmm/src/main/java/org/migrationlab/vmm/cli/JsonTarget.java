package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a {@code --json FILE} report goes: checked before the work starts, written after it. */
final class JsonTarget {
    private JsonTarget() {
    }

    /** Fails before a run, not after it, when the report could not be written; '-' (standard output) passes. */
    static void check(Path json) {
        if (json == null || isStandardOutput(json)) {
            return;
        }
        Path parent = json.toAbsolutePath().getParent();
        if (Files.isDirectory(json) || parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new UserInputException("cannot write the JSON report to " + json
                    + ": not a writable file in an existing directory");
        }
    }

    static boolean isStandardOutput(Path json) {
        return json != null && json.toString().equals("-");
    }

    /** Writes the whole report, replacing the file. */
    static void write(Path json, String text) {
        try {
            Files.writeString(json, text);
        } catch (IOException e) {
            throw new UserInputException("cannot write the JSON report to " + json + ": " + e);
        }
    }
}
