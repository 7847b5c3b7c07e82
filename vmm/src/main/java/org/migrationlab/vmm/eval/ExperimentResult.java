package org.migrationlab.vmm.eval;

import java.util.List;

/**
 * What an experiment found, ready to be written out.
 *
 * @param name       the experiment's name
 * @param title      a heading
 * @param conditions what was run, in a sentence or two (sizes, how they were scaled from the paper's)
 * @param tables     ours beside the paper's
 * @param figures    plots
 * @param readings   sentences that say why our figures differ from the paper's where they do
 */
public record ExperimentResult(String name, String title, String conditions, List<Table> tables,
                               List<Figure> figures, List<String> readings) {
    public ExperimentResult {
        tables = List.copyOf(tables);
        figures = List.copyOf(figures);
        readings = List.copyOf(readings);
    }

    /** A table: a header and rows of cells. */
    public record Table(String title, List<String> header, List<List<String>> rows) {
        public Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
        }
    }

    /**
     * A line plot, or a bar chart when it has categories (then a point's x is its category's index).
     *
     * @param file       the file name without extension (an SVG and a PNG are written)
     * @param logX       base-2 logarithmic x axis (working-set sizes double); lines only
     * @param logY       base-10 logarithmic y axis
     * @param categories the bars' groups, empty for a line plot
     */
    public record Figure(String file, String title, String xLabel, String yLabel, boolean logX, boolean logY,
                         List<Series> series, List<String> categories) {
        public Figure {
            series = List.copyOf(series);
            categories = List.copyOf(categories);
        }

        public Figure(String file, String title, String xLabel, String yLabel, boolean logX, boolean logY,
                      List<Series> series) {
            this(file, title, xLabel, yLabel, logX, logY, series, List.of());
        }
    }

    /** One line of a plot: the median at each x, with the spread (min and max over the runs). */
    public record Series(String name, List<Point> points) {
        public Series {
            points = List.copyOf(points);
        }
    }

    public record Point(double x, double median, double min, double max) {
    }
}
