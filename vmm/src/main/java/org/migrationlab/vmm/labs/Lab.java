package org.migrationlab.vmm.labs;

import java.nio.file.Path;
import java.util.List;

/**
 * One classroom lab: its folder under {@code labs/} and the checker that runs a student's work in it. The set
 * is closed: the labs are the ones whose folders the repository holds.
 */
public sealed interface Lab permits GuestProgramLab, PrepageLab, StopPolicyLab, FaultRecoveryLab {
    int number();

    String title();

    /** The folder under {@code labs/} with the lab's README and starter code. */
    String folderName();

    /** Runs the student's work in {@code folder} and says what passes and what does not. */
    List<Check> check(Path folder) throws InterruptedException;
}
