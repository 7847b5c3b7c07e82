package org.migrationlab.vmm.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * One migration of an experiment, as results.json keeps it: what was run (the point's parameters and the
 * guest's seed, enough to rerun it), whether the migrated guest ended as the unmigrated run did, and the
 * source's whole report in the same form as {@code vmm migrate --json}.
 */
@JsonPropertyOrder({"experiment", "series", "x", "run", "seed", "parameters", "oracle", "report"})
public record RunRecord(@JsonProperty("experiment") String experiment,
                        @JsonProperty("series") String series,
                        @JsonProperty("x") double x,
                        @JsonProperty("run") int run,
                        @JsonProperty("seed") long seed,
                        @JsonProperty("parameters") Map<String, String> parameters,
                        @JsonProperty("oracle") String oracle,
                        @JsonProperty("report") JsonNode report) {
}
