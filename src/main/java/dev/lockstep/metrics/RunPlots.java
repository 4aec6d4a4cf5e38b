package dev.lockstep.metrics;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of one or more runs (drawn headless with JFreeChart): loss and accuracy, each against step and against
 * wall time. Every run adds a "train" line (logged steps) and a "test" line with markers (evaluations), in the run's
 * own colour, so sync/async/auto runs overlay in one picture. A train line of few points (a short or interrupted run)
 * gets small markers too, so that even one point shows.
 */
public final class RunPlots {
  public static final int WIDTH = 800;
  public static final int HEIGHT = 480;

  /** Colour-blind-safe (Okabe–Ito), one per run. */
  private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
      new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000)};

  private RunPlots() {}

  /** The charts' file names, in the order {@link #write} returns them. */
  public static final List<String> FILES =
      List.of("loss-vs-step.png", "accuracy-vs-step.png", "loss-vs-time.png", "accuracy-vs-time.png");

  /** Writes the four charts into {@code outDir} (created if needed) and returns their paths. */
  public static List<Path> write(List<RunRecords> runs, Path outDir) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to plot");
    }
    for (RunRecords run : runs) {
      if (run.train().isEmpty()) {
        throw new IllegalArgumentException(run.dir().resolve("metrics.jsonl") + " has no step records to plot");
      }
    }
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // no display needed, none wanted (servers, CI, ranks)
    }
    try {
      Files.createDirectories(outDir);
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < FILES.size(); i++) {
        files.add(save(chart(i, runs), outDir, FILES.get(i)));
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plots into " + outDir + ": " + e.getMessage(), e);
    }
  }

  /** The chart of {@code FILES.get(index)}. */
  static JFreeChart chart(int index, List<RunRecords> runs) {
    return switch (index) {
      case 0 -> chart("Loss", STEP, "loss", runs, p -> p.step(), RunRecords.Point::loss);
      case 1 -> chart("Accuracy", STEP, "accuracy", runs, p -> p.step(), RunRecords.Point::accuracy);
      case 2 -> chart("Loss", TIME, "loss", runs, RunRecords.Point::elapsedSeconds, RunRecords.Point::loss);
      case 3 -> chart("Accuracy", TIME, "accuracy", runs, RunRecords.Point::elapsedSeconds,
          RunRecords.Point::accuracy);
      default -> throw new IllegalArgumentException("no chart " + index);
    };
  }

  private static final String STEP = "step";
  private static final String TIME = "wall time (s)";
  /** A series of at most this many points shows a marker on each (one point alone would be invisible as a line). */
  static final int FEW_POINTS = 30;

  private static JFreeChart chart(String title, String xLabel, String yLabel, List<RunRecords> runs,
                                  ToDoubleFunction<RunRecords.Point> x, ToDoubleFunction<RunRecords.Point> y) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    List<String> labels = labels(runs);
    for (int i = 0; i < runs.size(); i++) {
      RunRecords run = runs.get(i);
      String prefix = runs.size() == 1 ? "" : labels.get(i) + " ";
      Color colour = PALETTE[i % PALETTE.length];
      addSeries(data, renderer, prefix + "train", run.train(), x, y, colour, false);
      addSeries(data, renderer, prefix + "test", run.eval(), x, y, colour, true);
    }
    // A 1-step or interrupted run has one x (and maybe one y): JFreeChart would stretch a range of ~1e-8 around
    // it and label every tick "1E0". Minimum ranges keep the axes readable; steps are whole numbers.
    NumberAxis xAxis = new NumberAxis(xLabel);
    xAxis.setAutoRangeIncludesZero(false);
    if (xLabel.equals(STEP)) {
      xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
      xAxis.setAutoRangeMinimumSize(2);
    } else {
      xAxis.setAutoRangeMinimumSize(0.1);
    }
    NumberAxis yAxis = new NumberAxis(yLabel);
    yAxis.setAutoRangeIncludesZero(false);
    yAxis.setAutoRangeMinimumSize(0.01);
    XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title + " vs " + xLabel.replace(" (s)", ""), JFreeChart.DEFAULT_TITLE_FONT,
        plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Each run's legend name: its directory's name, or its path where names repeat (runs/a/r vs runs/b/r). */
  static List<String> labels(List<RunRecords> runs) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      String name = runs.get(i).name();
      boolean repeated = runs.stream().filter(r -> r.name().equals(name)).count() > 1;
      String label = repeated ? runs.get(i).dir().toString() : name;
      labels.add(labels.contains(label) ? label + " #" + (i + 1) : label);
    }
    return labels;
  }

  private static void addSeries(XYSeriesCollection data, XYLineAndShapeRenderer renderer, String key,
                                List<RunRecords.Point> points, ToDoubleFunction<RunRecords.Point> x,
                                ToDoubleFunction<RunRecords.Point> y, Color colour, boolean markers) {
    XYSeries series = new XYSeries(key, false, true);
    for (RunRecords.Point p : points) {
      double px = x.applyAsDouble(p), py = y.applyAsDouble(p);
      if (Double.isFinite(px) && Double.isFinite(py)) {
        series.add(px, py);
      }
    }
    if (series.isEmpty()) {
      return; // e.g. a run without evaluations, or records from before elapsed_s was logged
    }
    data.addSeries(series);
    int index = data.getSeriesCount() - 1;
    renderer.setSeriesPaint(index, colour);
    boolean few = series.getItemCount() <= FEW_POINTS;
    renderer.setSeriesShapesVisible(index, markers || few);
    if (!markers && few) { // train points: smaller than the test markers
      renderer.setSeriesShape(index, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
    }
    renderer.setSeriesStroke(index, new BasicStroke(markers ? 2.0f : 1.2f, BasicStroke.CAP_ROUND,
        BasicStroke.JOIN_ROUND, 1f, markers ? new float[] {6f, 4f} : null, 0f));
  }

  private static Path save(JFreeChart chart, Path dir, String name) throws IOException {
    Path file = dir.resolve(name);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    return file;
  }
}
