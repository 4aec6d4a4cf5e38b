package dev.lockstep.config;

import static dev.lockstep.config.YamlFile.error;
import static dev.lockstep.config.YamlFile.withModel;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** data.csv, data.synthetic and the objective settings: checked with key path and line, before any rank starts. */
class DataAndObjectiveKeysTest {
  @TempDir Path dir;

  private String file() {
    return dir.resolve("cfg.yaml").toString();
  }

  @ParameterizedTest(name = "data.csv.{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      target_type   | number | must be one of auto, class, value (got "number")
      test_fraction | 1      | must be in [0, 1) (got 1)
      test_fraction | -0.1   | must be in [0, 1) (got -0.1)
      """)
  void csvKeys(String key, String value, String problem) {
    assertThat(error(withModel(dir, "data:", "  format: csv", "  csv:", "    train_file: a.csv", "    target: y",
        "    " + key + ": " + value)))
        .isEqualTo(file() + ":9: data.csv." + key + ": " + problem);
  }

  @Test
  void csvNeedsAFileAndATarget() {
    assertThat(error(withModel(dir, "data: {format: csv, csv: {target: y}}")))
        .isEqualTo(file() + ":4: data.csv.train_file: must name the CSV file to train on (format csv) (not set)");
    assertThat(error(withModel(dir, "data: {format: csv, csv: {train_file: a.csv}}")))
        .isEqualTo(file() + ":4: data.csv.target: must name the column to predict (format csv) (not set)");
    assertThat(error(withModel(dir, "data: {format: csv, normalize: unit, csv: {train_file: a.csv, target: y}}")))
        .isEqualTo(file() + ":4: data.normalize: unit (x/255) is for idx pixels; use standard or none with format csv");
  }

  @ParameterizedTest(name = "data.synthetic.{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      task          | images | must be one of classification, regression, multilabel, distribution (got "images")
      train_samples | 0      | must be >= 1 (got 0)
      outputs       | 1      | must be >= 2 (got 1)
      noise         | -1     | must be >= 0 (got -1)
      """)
  void syntheticKeys(String key, String value, String problem) {
    assertThat(error(withModel(dir, "data:", "  format: synthetic", "  synthetic:", "    " + key + ": " + value)))
        .isEqualTo(file() + ":7: data.synthetic." + key + ": " + problem);
  }

  @Test
  void objectiveSettingsOnlyWhereTheyApply() {
    assertThat(error(withModel(dir, "objective: {type: mse, label_smoothing: 0.1}")))
        .isEqualTo(file() + ":4: objective.label_smoothing: applies to cross_entropy only (objective.type is mse)");
    assertThat(error(withModel(dir, "objective:", "  type: hinge", "  weights: [1, 2]")))
        .isEqualTo(file() + ":6: objective.weights: per-class weights apply to cross_entropy only (objective.type "
            + "is hinge)");
    assertThat(error(withModel(dir, "objective:", "  weights: [1, -2]")))
        .startsWith(file() + ":5: objective.weights[1]: must be >= 0 (got -2)");
  }

  @Test
  void validSettingsLoad() {
    LockstepConfig c = ConfigLoader.load(withModel(dir, "objective: {type: cross_entropy, weights: [1, 2.5],"
        + " label_smoothing: 0.1, l2: 0.001, top_k: 3}", "data: {format: synthetic, synthetic: {task: regression}}"));
    assertThat(c.objective().weights()).containsExactly(1.0, 2.5);
    assertThat(c.objective().topK()).isEqualTo(3);
    assertThat(c.data().synthetic().task()).isEqualTo("regression");
    assertThat(c.data().csv().testFraction()).isEqualTo(0.2);
    // the effective config round-trips, new keys included
    assertThat(ConfigLoader.fromYaml(ConfigWriter.toYaml(c), "effective", java.util.List.of())).isEqualTo(c);
  }
}
