package org.migrationlab.vmm.labs;

import java.nio.file.Path;
import java.util.List;

/** The labs by number, and the one entry point that checks a folder. */
public final class Labs {
    private static final List<Lab> ALL = List.of(new GuestProgramLab(), new PrepageLab(), new StopPolicyLab(),
            new FaultRecoveryLab());

    private Labs() {
    }

    public static List<Lab> all() {
        return ALL;
    }

    /** Lab number {@code n}; an {@link IllegalArgumentException} names the known ones. */
    public static Lab byNumber(int n) {
        return ALL.stream().filter(lab -> lab.number() == n).findFirst().orElseThrow(() ->
                new IllegalArgumentException("there is no lab " + n + "; the labs are " + ALL.stream().map(l -> Integer.toString(l.number())).toList()));
    }

    /** Checks {@code folder} against lab {@code n}. */
    public static LabReport check(int n, Path folder) throws InterruptedException {
        Lab lab = byNumber(n);
        return new LabReport(lab.number(), lab.title(), folder, lab.check(folder));
    }
}
