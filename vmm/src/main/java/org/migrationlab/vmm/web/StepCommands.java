package org.migrationlab.vmm.web;

import java.util.Map;

import org.migrationlab.migration.step.Step;
import org.migrationlab.migration.step.StepCommand;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the page's step commands: {"command": "run"}, {"command": "pause"}, {"command": "step", "step": S} with S
 * a step's label (precopy-round, prepage-batch, network-fault, guest-slice).
 */
final class StepCommands {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StepCommands() {
    }

    /** The command, or null when the text is none (a browser's input is never trusted to be well formed). */
    static StepCommand parse(String text) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = JSON.readValue(text, Map.class);
            Object command = fields.get("command");
            return switch (String.valueOf(command)) {
                case "run" -> new StepCommand.Run();
                case "pause" -> new StepCommand.Pause();
                case "step" -> new StepCommand.Advance(Step.ofLabel(String.valueOf(fields.get("step"))));
                default -> null;
            };
        } catch (JacksonException | IllegalArgumentException | ClassCastException e) {
            return null;
        }
    }
}
