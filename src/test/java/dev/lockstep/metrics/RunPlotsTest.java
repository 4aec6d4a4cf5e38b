package dev.lockstep.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Charts from metrics.jsonl files: valid PNGs of the promised size, each run's curves actually drawn. */
class RunPlotsTest {
  @TempDir
  Path dir;

  /** A run directory with {@code steps} logged steps and an evaluation every 10 steps. */
  static Path fakeRun(Path parent, String name, int steps, long seed) throws IOException {
    Path run = Files.createDirectories(parent.resolve(name));
    Random rnd = new Random(seed);
    StringBuilder lines = new StringBuilder();
    for (int s = 1; s <= steps; s++) {
      lines.append(String.format(Locale.ROOT, "{\"kind\":\"step\",\"step\":%d,\"epoch\":1,\"loss\":%.5f,"
          + "\"accuracy\":%.4f,\"elapsed_s\":%.3f}%n", s, 2.3 / Math.sqrt(s) + 0.05 * rnd.nextDouble(),
          Math.min(1, 0.1 + s / (double) steps), 0.05 * s));
      if (s % 10 == 0) {
        lines.append(String.format(Locale.ROOT, "{\"kind\":\"eval\",\"step\":%d,\"epoch\":1,\"test_accuracy\":%.4f,"
            + "\"test_loss\":%.4f,\"samples\":100,\"elapsed_s\":%.3f}%n", s, 0.5 + s / (4.0 * steps), 1.0 / s,
            0.05 * s + 0.01));
      }
    }
    Files.writeString(run.resolve("metrics.jsonl"), lines);
    return run;
  }

  @Test
  void aOneStepRunShowsItsPointWithAMarkerOnReadableAxes() throws IOException {
    Path one = Files.createDirectories(dir.resolve("one"));
    Files.writeString(one.resolve("metrics.jsonl"), "{\"kind\":\"step\",\"step\":1,\"epoch\":1,\"loss\":1.0678,"
        + "\"accuracy\":0.375,\"elapsed_s\":0.298}\n");
    List<RunRecords> runs = List.of(RunRecords.read(one));
    for (int index = 0; index < RunPlots.FILES.size(); index++) {
      org.jfree.chart.JFreeChart chart = RunPlots.chart(index, runs);
      BufferedImage img = new BufferedImage(RunPlots.WIDTH, RunPlots.HEIGHT, BufferedImage.TYPE_INT_RGB);
      java.awt.Graphics2D g = img.createGraphics();
      org.jfree.chart.ChartRenderingInfo info = new org.jfree.chart.ChartRenderingInfo();
      chart.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, RunPlots.WIDTH, RunPlots.HEIGHT), info);
      java.awt.geom.Rectangle2D area = info.getPlotInfo().getDataArea();
      org.jfree.chart.plot.XYPlot plot = chart.getXYPlot();
      RunRecords.Point p = runs.get(0).train().get(0);
      double x = index < 2 ? p.step() : p.elapsedSeconds();
      double y = index % 2 == 0 ? p.loss() : p.accuracy();
      int px = (int) Math.round(plot.getDomainAxis().valueToJava2D(x, area, plot.getDomainAxisEdge()));
      int py = (int) Math.round(plot.getRangeAxis().valueToJava2D(y, area, plot.getRangeAxisEdge()));
      // the point's marker: the run's colour on several pixels around it, inside the data area
      int coloured = 0;
      for (int dx = -3; dx <= 3; dx++) {
        for (int dy = -3; dy <= 3; dy++) {
          coloured += (img.getRGB(px + dx, py + dy) & 0xFFFFFF) == 0x0072B2 ? 1 : 0;
        }
      }
      assertThat(area.contains(px, py)).as(RunPlots.FILES.get(index)).isTrue();
      assertThat(coloured).as(RunPlots.FILES.get(index) + ": marker pixels at the point").isGreaterThanOrEqualTo(9);
      // every axis labels its ticks with distinct values (not "1E0 1E0 1E0 ...")
      for (org.jfree.chart.axis.ValueAxis axis : List.of(plot.getDomainAxis(), plot.getRangeAxis())) {
        org.jfree.chart.ui.RectangleEdge edge = axis == plot.getDomainAxis() ? plot.getDomainAxisEdge()
            : plot.getRangeAxisEdge();
        List<String> labels = new java.util.ArrayList<>();
        for (Object t : axis.refreshTicks(g, new org.jfree.chart.axis.AxisState(), area, edge)) {
          String text = ((org.jfree.chart.axis.ValueTick) t).getText();
          if (!text.isEmpty()) { // minor ticks have none
            labels.add(text);
          }
        }
        assertThat(labels).as(RunPlots.FILES.get(index) + " " + axis.getLabel()).hasSizeGreaterThan(1)
            .doesNotHaveDuplicates();
        if (index < 2 && axis == plot.getDomainAxis()) {
          assertThat(labels).as("steps are whole numbers").contains("1").allMatch(l -> l.matches("\\d+"));
        }
      }
      g.dispose();
    }
  }

  @Test
  void writesFourPngsOfTheExpectedSizeWithEveryRunsCurve() throws IOException {
    RunRecords a = RunRecords.read(fakeRun(dir, "sync", 40, 1));
    RunRecords b = RunRecords.read(fakeRun(dir, "async", 30, 2));
    List<Path> files = RunPlots.write(List.of(a, b), dir.resolve("out"));
    assertThat(files).extracting(p -> p.getFileName().toString()).containsExactlyElementsOf(RunPlots.FILES);
    for (Path f : files) {
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(f), 8);
      assertThat(head).as(f + " PNG signature").containsExactly(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
      BufferedImage img = ImageIO.read(f.toFile());
      assertThat(img.getWidth()).isEqualTo(RunPlots.WIDTH);
      assertThat(img.getHeight()).isEqualTo(RunPlots.HEIGHT);
      // Both runs' series are drawn: each run's exact colour (lines are anti-aliased) on enough pixels above
      // the legend; an empty series leaves none.
      assertThat(pixelsOf(img, 0x0072B2)).as(f + ": first run's curves").isGreaterThan(20);
      assertThat(pixelsOf(img, 0xD55E00)).as(f + ": second run's curves").isGreaterThan(20);
    }
  }

  @Test
  void aRunWithoutStepRecordsOrWithoutMetricsIsAClearError() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(empty.resolve("metrics.jsonl"), "");
    assertThatThrownBy(() -> RunPlots.write(List.of(RunRecords.read(empty)), dir.resolve("o")))
        .hasMessageContaining("metrics.jsonl has no step records");
    assertThatThrownBy(() -> RunRecords.read(dir)).hasMessageContaining("is not a run directory (no metrics.jsonl)");
    Files.writeString(empty.resolve("metrics.jsonl"), "{\"kind\":\"step\"}\n{oops\n");
    assertThatThrownBy(() -> RunRecords.read(empty)).hasMessageContaining("metrics.jsonl:2: not a JSON object");
  }

  @Test
  void runsWithTheSameDirectoryNameAreToldApartByPath() throws IOException {
    RunRecords a = RunRecords.read(fakeRun(dir.resolve("x"), "r", 5, 1));
    RunRecords b = RunRecords.read(fakeRun(dir.resolve("y"), "r", 5, 2));
    assertThat(RunPlots.labels(List.of(a, b))).containsExactly(a.dir().toString(), b.dir().toString());
    assertThat(RunPlots.labels(List.of(a, a))).containsExactly(a.dir().toString(), a.dir() + " #2");
  }

  private static int pixelsOf(BufferedImage img, int rgb) {
    int n = 0;
    for (int y = 0; y < img.getHeight() - 60; y++) { // the legend sits in the bottom 60 pixels
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
