package org.migrationlab.vmm.eval;

import java.util.List;

/** REPORT.md: conditions, then each experiment's tables, plots and readings. */
final class Markdown {
    private Markdown() {
    }

    static String render(EvalSettings settings, Machine machine, List<ExperimentResult> experiments,
                         List<RunRecord> runs) {
        StringBuilder md = new StringBuilder("# The paper, reproduced\n\n");
        md.append("Hines and Gopalan, \"Post-Copy Based Live Virtual Machine Migration Using Adaptive Pre-Paging "
                + "and Dynamic Self-Ballooning\" (VEE 2009), rerun in this lab: `vmm eval --")
                .append(settings.scale().label()).append("`.\n\n");
        md.append("- Link: ").append(Conditions.link(settings)).append(" (the paper: 1 Gbit/s, fetch round trips of "
                + "85-115 µs)\n");
        md.append("- Machine: ").append(machine.cores()).append(" cores, ").append(machine.cpuModel()).append("; ")
                .append(machine.os()).append("; ").append(machine.java()).append("; ").append(machine.emulator())
                .append('\n');
        md.append("- Runs: ").append(runs.size()).append(" runs (migrations, and timed runs of a guest alone), ").append(settings.runs())
                .append(" per point (median, with the range in brackets), seeds from ").append(settings.seed())
                .append("; oracle: ").append(oracleSummary(runs)).append("\n\n");
        for (ExperimentResult experiment : experiments) {
            md.append("## ").append(experiment.title()).append("\n\n").append(experiment.conditions()).append("\n\n");
            for (ExperimentResult.Table table : experiment.tables()) {
                md.append("### ").append(table.title()).append("\n\n");
                md.append(row(table.header())).append(row(table.header().stream().map(h -> "---").toList()));
                table.rows().forEach(r -> md.append(row(r)));
                md.append('\n');
            }
            for (ExperimentResult.Figure figure : experiment.figures()) {
                md.append("![").append(figure.title()).append("](").append(figure.file()).append(".svg)\n\n");
            }
            experiment.readings().forEach(r -> md.append("- ").append(r).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    static String oracleSummary(List<RunRecord> runs) {
        long identical = runs.stream().filter(r -> r.oracle().startsWith("identical")).count();
        return identical + " of " + runs.size() + " guests (migrated, or run with what an experiment varies) ended as their unmigrated run";
    }

    private static String row(List<String> cells) {
        return "| " + String.join(" | ", cells.stream().map(c -> c.replace("|", "\\|")).toList()) + " |\n";
    }
}
