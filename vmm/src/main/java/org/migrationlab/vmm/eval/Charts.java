package org.migrationlab.vmm.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/** Draws a figure as the paper's line plots look (lines with markers, the runs' range as error bars). */
final class Charts {
    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    private Charts() {
    }

    /** Writes {@code DIR/file.svg} and {@code DIR/file.png}. */
    static void write(ExperimentResult.Figure figure, Path dir) throws IOException {
        JFreeChart chart = chart(figure);
        SVGGraphics2D svg = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(svg, new Rectangle(0, 0, WIDTH, HEIGHT));
        Files.writeString(dir.resolve(figure.file() + ".svg"), svg.getSVGDocument(), StandardCharsets.UTF_8);
        ChartUtils.saveChartAsPNG(dir.resolve(figure.file() + ".png").toFile(), chart, WIDTH, HEIGHT);
    }

    static JFreeChart chart(ExperimentResult.Figure figure) {
        return figure.categories().isEmpty() ? lines(figure) : bars(figure);
    }

    private static JFreeChart bars(ExperimentResult.Figure figure) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (ExperimentResult.Series bars : figure.series()) {
            for (ExperimentResult.Point p : bars.points()) {
                data.addValue(p.median(), bars.name(), figure.categories().get((int) p.x()));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(figure.title(), figure.xLabel(), figure.yLabel(), data);
        CategoryPlot plot = chart.getCategoryPlot();
        if (figure.logY()) {
            plot.setRangeAxis(logAxis(figure.yLabel(), 10));
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((BarRenderer) plot.getRenderer()).setBarPainter(new StandardBarPainter());
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static JFreeChart lines(ExperimentResult.Figure figure) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (ExperimentResult.Series line : figure.series()) {
            YIntervalSeries series = new YIntervalSeries(line.name());
            for (ExperimentResult.Point p : line.points()) {
                if (!figure.logY() || p.min() > 0) { // a log axis cannot show zero
                    series.add(p.x(), p.median(), p.min(), p.max());
                }
            }
            data.addSeries(series);
        }
        ValueAxis x = figure.logX() ? logAxis(figure.xLabel(), 2) : new NumberAxis(figure.xLabel());
        ValueAxis y = figure.logY() ? logAxis(figure.yLabel(), 10) : new NumberAxis(figure.yLabel());
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        renderer.setDrawXError(false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(1.6f));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(figure.title(), new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static LogAxis logAxis(String label, double base) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(base);
        if (base == 2) {
            axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            axis.setNumberFormatOverride(new DecimalFormat("0")); // 8, 16, 32 rather than 2^3, 2^4, 2^5
        }
        axis.setSmallestValue(1e-3);
        return axis;
    }
}
