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
 * own colour, so sync/async/auto runs overlay in one picture.
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
      files.add(save(chart("Loss", "step", "loss", runs, p -> p.step(), RunRecords.Point::loss), outDir, FILES.get(0)));
      files.add(save(chart("Accuracy", "step", "accuracy", runs, p -> p.step(), RunRecords.Point::accuracy),
          outDir, FILES.get(1)));
      files.add(save(chart("Loss", "wall time (s)", "loss", runs, RunRecords.Point::elapsedSeconds,
          RunRecords.Point::loss), outDir, FILES.get(2)));
      files.add(save(chart("Accuracy", "wall time (s)", "accuracy", runs, RunRecords.Point::elapsedSeconds,
          RunRecords.Point::accuracy), outDir, FILES.get(3)));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plots into " + outDir + ": " + e.getMessage(), e);
    }
  }

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
    NumberAxis xAxis = new NumberAxis(xLabel);
    xAxis.setAutoRangeIncludesZero(false);
    NumberAxis yAxis = new NumberAxis(yLabel);
    yAxis.setAutoRangeIncludesZero(false);
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
    renderer.setSeriesShapesVisible(index, markers);
    renderer.setSeriesStroke(index, new BasicStroke(markers ? 2.0f : 1.2f, BasicStroke.CAP_ROUND,
        BasicStroke.JOIN_ROUND, 1f, markers ? new float[] {6f, 4f} : null, 0f));
  }

  private static Path save(JFreeChart chart, Path dir, String name) throws IOException {
    Path file = dir.resolve(name);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    return file;
  }
}
