package org.migrationlab.vmm.labs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checkers of the policy labs pass on their reference solutions and fail, saying why with figures, on
 * the untouched starter code.
 */
@Tag("serial") // run alone: the checkers compare network faults, which depend on the guest's speed beside the link's
@Timeout(240)
class PolicyLabsIT {
    @Test
    void lab2PassesTheReferenceSolutionAndFailsTheStarter() throws Exception {
        Lab lab = Labs.byNumber(2);
        LabReport solution = Labs.check(2, LabFolders.solution(lab));
        System.out.print(solution.render());
        assertThat(solution.passed()).as(solution.render()).isTrue();

        LabReport starter = Labs.check(2, LabFolders.starter(lab));
        System.out.print(starter.render());
        assertThat(starter.passed()).isFalse();
        assertThat(starter.check("compiles").passed()).isTrue();
        assertThat(starter.check("no fallback").detail())
                .contains("next() threw java.lang.UnsupportedOperationException: TODO: write MyPrepage.next");
        assertThat(starter.check("beats push-only").passed()).isFalse();
        assertThat(starter.check("beats push-only").detail()).contains("your policy fell back",
                "network faults (pages sent by demand)", "push-only");
    }

    @Test
    void lab3PassesTheReferenceSolutionAndFailsTheStarter() throws Exception {
        Lab lab = Labs.byNumber(3);
        LabReport solution = Labs.check(3, LabFolders.solution(lab));
        System.out.print(solution.render());
        assertThat(solution.passed()).as(solution.render()).isTrue();

        LabReport starter = Labs.check(3, LabFolders.starter(lab));
        System.out.print(starter.render());
        assertThat(starter.passed()).isFalse();
        assertThat(starter.check("no fallback").passed()).isTrue();
        assertThat(starter.check("downtime target").passed()).isFalse();
        assertThat(starter.check("downtime target").detail()).contains("expected downtime", "target 50 ms", "the stop-and-copy sent");
    }
}
