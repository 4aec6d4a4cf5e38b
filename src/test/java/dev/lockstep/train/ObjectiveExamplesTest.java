package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The example config of each objective family (configs/*.yaml) trains as shipped, on 2 real MPJ ranks, to the
 * test figure its header states.
 */
class ObjectiveExamplesTest {
  @TempDir static Path dir;

  @ParameterizedTest(name = "{0}: test_{1} > {2}")
  @CsvSource({
      "synthetic-classification, accuracy, 0.82",
      "synthetic-multilabel, accuracy, 0.9",
      "synthetic-regression, r2, 0.8",
      "synthetic-hinge, accuracy, 0.8",
      "synthetic-distillation, accuracy, 0.82"})
  void exampleConfigReachesItsStatedFigure(String name, String metric, double threshold) throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(Path.of("configs", name + ".yaml"), 2, "multicore",
        "run.out_dir=" + dir);
    assertThat(run.exitCode()).as(run.output()).isZero();
    JsonNode summary = run.summary();
    assertThat(summary.get("steps").asLong()).isEqualTo(320);
    assertThat(summary.get("test_" + metric).asDouble()).as(run.output()).isGreaterThan(threshold);
    assertThat(summary.get("replicas_identical").asBoolean()).isTrue();
    if (name.equals("synthetic-classification")) { // top_k: 2 and confusion_matrix: true
      assertThat(summary.get("test_top_k_accuracy").asDouble()).isGreaterThan(summary.get("test_accuracy").asDouble());
      assertThat(summary.get("test_per_class_accuracy")).hasSize(4);
      long total = 0;
      for (JsonNode row : summary.get("test_confusion_matrix")) {
        assertThat(row).hasSize(4);
        for (JsonNode n : row) {
          total += n.asLong();
        }
      }
      assertThat(total).isEqualTo(1024);
      assertThat(run.output()).containsPattern("test accuracy 0\\.\\d{4} \\| test top-2 accuracy 0\\.\\d{4} \\| test "
          + "loss \\d+\\.\\d{4} \\(1024 samples\\)");
    }
    if (name.equals("synthetic-regression")) {
      assertThat(run.output()).containsPattern("test rmse \\d\\.\\d{4} \\| test mae \\d\\.\\d{4} \\| test r2 0\\.\\d{4}");
      assertThat(summary.get("test_rmse").asDouble()).isGreaterThanOrEqualTo(summary.get("test_mae").asDouble());
    }
  }

  @Test
  void csvExampleLearnsNamedClassesAndSavesTheMapping() throws IOException {
    // Three well-separated clusters with text class names, as a user's CSV might have them.
    StringBuilder csv = new StringBuilder("cultivar,alcohol,\"colour, intensity\",hue,proline\n");
    SplittableRandom rng = new SplittableRandom(9);
    String[] names = {"nebbiolo", "barbera", "grignolino"};
    for (int i = 0; i < 200; i++) {
      int c = rng.nextInt(3);
      csv.append(names[c]);
      for (int f = 0; f < 4; f++) {
        double centre = (f == c ? 3.0 : 0.0) * (f + 1) * 10;
        csv.append(',').append(centre + rng.nextDouble(-1, 1) * 10 * (f + 1));
      }
      csv.append('\n');
    }
    Path file = dir.resolve("vines.csv");
    Files.writeString(file, csv);
    TrainingRuns.Result run = TrainingRuns.train(Path.of("configs/wine-csv.yaml"), 2, "multicore",
        "run.out_dir=" + dir, "data.csv.train_file=" + file);
    assertThat(run.exitCode()).as(run.output()).isZero();
    JsonNode summary = run.summary();
    assertThat(summary.get("test_samples").asLong()).isEqualTo(50); // test_fraction 0.25 of 200
    assertThat(summary.get("test_accuracy").asDouble()).as(run.output()).isGreaterThan(0.9);
    JsonNode classes = TrainingRuns.JSON.readTree(run.runDir().resolve("classes.json").toFile());
    assertThat(classes.get("target").asText()).isEqualTo("cultivar");
    assertThat(classes.get("classes").toString()).isEqualTo("[\"barbera\",\"grignolino\",\"nebbiolo\"]");
  }

  @Test
  void badCsvStopsTheRunWithOneLineNamingTheCell() throws IOException {
    Path file = dir.resolve("bad.csv");
    Files.writeString(file, "cultivar,alcohol\na,1\nb,x1\n");
    TrainingRuns.Result run = TrainingRuns.train(Path.of("configs/wine-csv.yaml"), 2, "multicore",
        "run.out_dir=" + dir, "data.csv.train_file=" + file);
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("file " + file + ": row 2 (line 3), column 'alcohol': \"x1\" is not a number");
  }
}
