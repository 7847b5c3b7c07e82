package org.migrationlab.vmm.labs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lab 4's checker passes the reference plan and explanation, and fails the untouched starter, saying why. */
@Timeout(120)
class FaultLabIT {
    @Test
    void lab4PassesTheReferenceSolutionAndFailsTheStarter() throws Exception {
        Lab lab = Labs.byNumber(4);
        LabReport solution = Labs.check(4, LabFolders.solution(lab));
        System.out.print(solution.render());
        assertThat(solution.passed()).as(solution.render()).isTrue();
        assertThat(solution.check("recovered").detail()).contains("postcopy-recoveries 1");

        LabReport starter = Labs.check(4, LabFolders.starter(lab));
        System.out.print(starter.render());
        assertThat(starter.passed()).isFalse();
        assertThat(starter.check("plan").detail()).contains("plan.txt injects no fault");
    }
}
