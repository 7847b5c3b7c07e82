package org.migrationlab.vmm.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** report.html: REPORT.md's content in one file that needs nothing else (plots inline as SVG). */
final class Html {
    private Html() {
    }

    static String render(Path dir, EvalSettings settings, Machine machine, List<ExperimentResult> experiments,
                         List<RunRecord> runs) throws IOException {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>The paper, reproduced</title><style>body{font-family:sans-serif;max-width:1100px;"
                + "margin:2em auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;"
                + "padding:3px 6px;font-size:13px}th{background:#eee}</style></head><body>\n");
        html.append("<h1>The paper, reproduced</h1>\n<p>Hines and Gopalan (VEE 2009), rerun with <code>vmm eval --")
                .append(settings.scale().label()).append("</code>.</p>\n<ul><li>Link: ").append(escape(Conditions.link(settings)))
                .append("</li><li>Machine: ").append(machine.cores()).append(" cores, ")
                .append(escape(machine.cpuModel())).append("; ").append(escape(machine.os())).append("; ")
                .append(escape(machine.java())).append("; ").append(escape(machine.emulator())).append("</li><li>Oracle: ")
                .append(escape(Markdown.oracleSummary(runs))).append("</li></ul>\n");
        for (ExperimentResult experiment : experiments) {
            html.append("<h2>").append(escape(experiment.title())).append("</h2>\n<p>")
                    .append(escape(experiment.conditions())).append("</p>\n");
            for (ExperimentResult.Table table : experiment.tables()) {
                html.append("<h3>").append(escape(table.title())).append("</h3>\n<table><tr>");
                table.header().forEach(h -> html.append("<th>").append(escape(h)).append("</th>"));
                html.append("</tr>\n");
                for (List<String> row : table.rows()) {
                    html.append("<tr>");
                    row.forEach(c -> html.append("<td>").append(escape(c)).append("</td>"));
                    html.append("</tr>\n");
                }
                html.append("</table>\n");
            }
            for (ExperimentResult.Figure figure : experiment.figures()) {
                String svg = Files.readString(dir.resolve(figure.file() + ".svg"), StandardCharsets.UTF_8);
                html.append("<figure>").append(svg.substring(Math.max(0, svg.indexOf("<svg")))).append("</figure>\n");
            }
            html.append("<ul>");
            experiment.readings().forEach(r -> html.append("<li>").append(escape(r)).append("</li>"));
            html.append("</ul>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
