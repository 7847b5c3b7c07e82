package org.migrationlab.vmm.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every report folder of {@code vmm eval} holds, whatever its scale: every experiment of the command
 * with its tables, figures and readings; every run with its seed, parameters, oracle and report, as many as
 * the experiments planned; every figure as a well-formed SVG and a PNG; a REPORT.md and a report.html that
 * fetch nothing.
 */
final class ReportFolderChecks {
    private ReportFolderChecks() {
    }

    static JsonNode results(Path dir) throws IOException {
        return JsonMapper.builder().build().readTree(Files.readString(dir.resolve("results.json")));
    }

    /** Every experiment the command knows, in its order (the sealed interface's permitted classes are them all). */
    static List<Experiment> allExperiments() {
        return Arrays.stream(Experiment.class.getPermittedSubclasses()).map(c -> {
            try {
                return (Experiment) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(c + " has no public no-argument constructor", e);
            }
        }).toList();
    }

    /** The runs every experiment plans at {@code settings}: what results.json must hold. */
    static int plannedRuns(EvalSettings settings) {
        return allExperiments().stream().mapToInt(e -> e.migrations(settings)).sum();
    }

    static void everyExperimentAndRunIsThere(JsonNode results, int expectedRuns) {
        List<String> names = new ArrayList<>();
        results.get("experiments").forEach(e -> {
            names.add(e.get("name").asString());
            assertThat(e.get("tables").size()).as("%s's tables", e.get("name")).isPositive();
            assertThat(e.get("figures").size()).as("%s's figures", e.get("name")).isPositive();
            assertThat(e.get("readings").size()).as("%s's readings", e.get("name")).isPositive();
            assertThat(e.get("conditions").asString()).as("%s's conditions", e.get("name")).isNotBlank();
        });
        assertThat(names).containsExactlyInAnyOrderElementsOf(allExperiments().stream().map(Experiment::name).toList());
        assertThat(results.get("machine").get("cores").asInt()).isPositive();
        assertThat(results.get("machine").get("emulator").asString()).as("the emulator's version")
                .matches("Unicorn 2\\.\\d+\\.\\d+");
        JsonNode runs = results.get("runs");
        assertThat(runs.size()).as("runs in results.json").isEqualTo(expectedRuns);
        for (JsonNode r : runs) {
            String what = r.get("experiment").asString() + " " + r.get("series").asString();
            assertThat(names).as(what).contains(r.get("experiment").asString());
            assertThat(r.has("seed") && r.has("x") && r.has("run")).as(what).isTrue();
            assertThat(r.get("parameters").size()).as("%s's parameters", what).isPositive();
            assertThat(r.get("oracle").asString()).as(what).startsWith("identical");
            JsonNode report = r.get("report");
            if (report.has("outcome")) { // a timed run of the guest alone: its run report
                assertThat(report.get("outcome").asString()).as(what).isEqualTo("halted");
                assertThat(report.get("wall-time-ms").asDouble()).as(what).isPositive();
            } else {
                assertThat(report.get("status").asString()).as(what).isEqualTo("completed");
                assertThat(report.get("total-time").asDouble()).as(what).isPositive();
            }
        }
    }

    /** The figure files results.json names, each checked as a well-formed SVG and a readable PNG. */
    static List<String> everyFigureIsAValidSvgAndPng(Path dir, JsonNode results) throws Exception {
        List<String> files = new ArrayList<>();
        results.get("experiments").forEach(e -> e.get("figures").forEach(f -> files.add(f.get("file").asString())));
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        // The SVG names its DTD on the web; a test reads no network, and well-formedness needs no DTD.
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (String file : files) {
            Document svg = xml.newDocumentBuilder()
                    .parse(new InputSource(new StringReader(Files.readString(dir.resolve(file + ".svg")))));
            assertThat(svg.getDocumentElement().getTagName()).as(file).isEqualTo("svg");
            BufferedImage png = ImageIO.read(dir.resolve(file + ".png").toFile());
            assertThat(png).as(file + ".png").isNotNull();
            assertThat(png.getWidth()).isEqualTo(Charts.WIDTH);
        }
        return files;
    }

    /** REPORT.md shows every figure; report.html has its tables and plots inline and loads nothing. */
    static void theReportsNeedNothingElse(Path dir, List<String> figures) throws IOException {
        String md = Files.readString(dir.resolve("REPORT.md"));
        for (String figure : figures) {
            assertThat(md).contains("(" + figure + ".svg)");
        }
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<svg", "<table>");
        assertThat(html).doesNotContain("<script", "<link", "src=\"http", "<img");
    }

    /** The folder a system property names, if it does. */
    static Optional<Path> folderFrom(String property) {
        return Optional.ofNullable(System.getProperty(property)).filter(s -> !s.isBlank()).map(Path::of);
    }
}
