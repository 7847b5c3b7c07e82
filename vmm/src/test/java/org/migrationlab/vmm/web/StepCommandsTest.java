package org.migrationlab.vmm.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.step.Step;
import org.migrationlab.migration.step.StepCommand;

/** The page's step commands, guest slice included; what cannot be read is none. */
class StepCommandsTest {
    @Test
    void everyStepIsReadByItsLabel() {
        assertThat(StepCommands.parse("{\"command\": \"step\", \"step\": \"guest-slice\"}"))
                .isEqualTo(new StepCommand.Advance(Step.GUEST_SLICE));
        for (Step step : Step.values()) {
            assertThat(StepCommands.parse("{\"command\": \"step\", \"step\": \"" + step.label() + "\"}"))
                    .isEqualTo(new StepCommand.Advance(step));
        }
        assertThat(StepCommands.parse("{\"command\": \"run\"}")).isEqualTo(new StepCommand.Run());
        assertThat(StepCommands.parse("{\"command\": \"pause\"}")).isEqualTo(new StepCommand.Pause());
    }

    @Test
    void whatCannotBeReadIsNone() {
        assertThat(StepCommands.parse("{\"command\": \"step\", \"step\": \"guest_slice\"}")).isNull();
        assertThat(StepCommands.parse("{\"command\": \"step\", \"step\": \"GUEST_SLICE\"}")).isNull();
        assertThat(StepCommands.parse("{\"command\": \"step\"}")).isNull();
        assertThat(StepCommands.parse("{\"command\": \"slice\"}")).isNull();
        assertThat(StepCommands.parse("not json")).isNull();
        assertThat(StepCommands.parse("[1, 2]")).isNull();
    }
}
