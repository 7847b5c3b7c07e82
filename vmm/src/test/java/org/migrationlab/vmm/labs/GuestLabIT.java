package org.migrationlab.vmm.labs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lab 1's checker builds and migrates the reference guest, and fails the untouched starter, saying why. */
@Timeout(120)
class GuestLabIT {
    @Test
    void lab1PassesTheReferenceSolutionAndFailsTheStarter() throws Exception {
        Lab lab = Labs.byNumber(1);
        LabReport solution = Labs.check(1, LabFolders.solution(lab));
        System.out.print(solution.render());
        assertThat(solution.passed()).as(solution.render()).isTrue();

        LabReport starter = Labs.check(1, LabFolders.starter(lab));
        System.out.print(starter.render());
        assertThat(starter.passed()).isFalse();
        assertThat(starter.check("builds").passed()).isTrue();
        assertThat(starter.check("reports progress").detail()).contains("0 units of progress", "guest_counter_add");
    }
}
