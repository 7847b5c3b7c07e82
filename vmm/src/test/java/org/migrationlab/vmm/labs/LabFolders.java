package org.migrationlab.vmm.labs;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find a lab's starter folder (in the repository) and its reference solution (test resources). */
final class LabFolders {
    private LabFolders() {
    }

    /** {@code labs/<folder>} at the repository's root, found upward from the working directory. */
    static Path starter(Lab lab) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("labs").resolve(lab.folderName());
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no labs/" + lab.folderName() + " above " + Path.of("").toAbsolutePath());
    }

    /** The reference solution: test resources, kept out of the starter folders. */
    static Path solution(Lab lab) {
        try {
            return Path.of(LabFolders.class.getResource("/labs/solutions/" + lab.folderName()).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no reference solution for lab " + lab.number(), e);
        }
    }
}
