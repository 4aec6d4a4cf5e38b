package dev.lockstep.config;

import static dev.lockstep.config.YamlFile.error;
import static dev.lockstep.config.YamlFile.withModel;
import static dev.lockstep.config.YamlFile.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ranges, enums and not-yet-built features: each reported with its key path and the line it is on. */
class ConfigValidatorTest {
  @TempDir
  Path dir;

  private String file() {
    return dir.resolve("cfg.yaml").toString();
  }

  /** {@code section: {key: value}} on line 4 after the model; the error must name line 4 and section.key. */
  @ParameterizedTest(name = "{0}.{1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      run          | name         | 'my run'   | must be letters, digits, '.', '_' or '-' (it names the run directory; got "my run")
      run          | name         | ''         | must be letters, digits, '.', '_' or '-' (it names the run directory; got "")
      run          | epochs       | 0          | must be >= 1 (got 0)
      run          | max_steps    | -1         | must be >= 0 (got -1)
      run          | out_dir      | ' '        | must not be empty
      data         | format       | csv        | csv is not implemented yet (supported: idx)
      data         | format       | synthetic  | synthetic is not implemented yet (supported: idx)
      data         | format       | parquet    | must be one of idx (got "parquet")
      data         | dir          | ''         | must not be empty
      data         | train_images | ''         | must not be empty
      data         | batch_size   | 0          | must be >= 1 (got 0)
      data         | normalize    | minmax     | must be one of none, unit, standard (got "minmax")
      data         | std          | 0          | must be > 0 (got 0)
      data         | mean         | 1e999      | must be a finite number (got Infinity)
      data         | limit_train  | -5         | must be >= 0 (got -5)
      data         | limit_test   | -1         | must be >= 0 (got -1)
      objective    | type         | hinge      | must be one of cross_entropy, mse (got "hinge")
      optimizer    | type         | lbfgs      | must be one of sgd, adam, adamw (got "lbfgs")
      optimizer    | lr           | -1         | must be > 0 (got -1)
      optimizer    | lr           | 0          | must be > 0 (got 0)
      optimizer    | momentum     | 1          | must be in [0, 1) (got 1)
      optimizer    | momentum     | -0.1       | must be in [0, 1) (got -0.1)
      optimizer    | weight_decay | -0.0001    | must be >= 0 (got -1.0E-4)
      optimizer    | beta1        | 1.5        | must be in [0, 1) (got 1.5)
      optimizer    | beta2        | 1.0        | must be in [0, 1) (got 1)
      optimizer    | eps          | 0.0        | must be > 0 (got 0)
      update       | mode         | async      | async is not implemented yet (only sync)
      update       | mode         | auto       | auto is not implemented yet (only sync)
      update       | mode         | lazy       | must be one of sync (got "lazy")
      update       | check_every  | -1         | must be >= 0 (got -1)
      checkpointing| segments     | 4          | gradient checkpointing is not implemented yet; use 0
      checkpointing| segments     | auto       | gradient checkpointing is not implemented yet; use 0
      checkpointing| segments     | some       | must be 0, a number of segments >= 1, or auto (got "some")
      checkpointing| segments     | -2         | must be 0, a number of segments >= 1, or auto (got "-2")
      backend      | device       | tpu        | must be one of auto, cpu, cuda (got "tpu")
      backend      | threads      | -1         | must be >= 0 (got -1)
      output       | log_every    | 0          | must be >= 1 (got 0)
      comm         | timeout_s    | 0          | must be > 0 (got 0)
      comm         | algorithm    | tree       | must be one of auto, shm, ring, mpj (got "tree")
      comm         | bucket_mb    | -1         | must be >= 0 (got -1)
      comm         | bucket_mb    | 1e999      | must be a finite number (got Infinity)
      """)
  void outOfRangeOrUnsupportedValueNamesKeyPathAndLine(String section, String key, String value, String problem) {
    String yamlValue = value.isBlank() ? "'" + value + "'" : value;
    assertThat(error(withModel(dir, section + ": {" + key + ": " + yamlValue + "}")))
        .isEqualTo(file() + ":4: " + section + "." + key + ": " + problem);
  }

  @ParameterizedTest(name = "schedule.{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      type         | linear | must be one of constant, step, cosine (got "linear")
      warmup_steps | -1     | must be >= 0 (got -1)
      step_size    | 0      | must be >= 1 (got 0)
      gamma        | 0      | must be > 0 (got 0)
      min_lr       | -0.5   | must be >= 0 (got -0.5)
      """)
  void scheduleKeysAreCheckedOnTheirOwnLine(String key, String value, String problem) {
    assertThat(error(withModel(dir, "optimizer:", "  lr: 0.1", "  schedule:", "    " + key + ": " + value)))
        .isEqualTo(file() + ":7: optimizer.schedule." + key + ": " + problem);
  }

  @Test
  void nesterovNeedsMomentum() {
    assertThat(error(withModel(dir, "optimizer:", "  momentum: 0.0", "  nesterov: true")))
        .isEqualTo(file() + ":6: optimizer.nesterov: needs optimizer.momentum > 0");
  }

  @Test
  void aModelNeedsLayers() {
    assertThat(error(write(dir, "model:", "  layers: []")))
        .isEqualTo(file() + ":2: model.layers: must list at least one layer, e.g. [{type: linear, units: 10}]");
  }

  @Test
  void aMissingModelIsReportedWithoutALineAsNotSet() {
    assertThat(error(write(dir, "run: {epochs: 1}")))
        .isEqualTo(file() + ": model.layers: must list at least one layer, e.g. [{type: linear, units: 10}] "
            + "(not set)");
  }

  @Test
  void aModelWithoutLayersIsReportedAtTheModelLine() {
    assertThat(error(write(dir, "run: {epochs: 1}", "model: {}")))
        .endsWith(":2: model.layers: must list at least one layer, e.g. [{type: linear, units: 10}] (not set)");
  }

  @Test
  void layerProblemsNameTheElementAndItsLine() {
    ConfigException e = catchConfig(write(dir,
        "model:",
        "  layers:",
        "    - {type: linear, units: 10, init: glorot}",  // 3
        "    - {type: relu, units: 10}",                  // 4
        "    - type: sigmoid",                            // 5
        "      init: he",                                 // 6
        "    - {type: linear}",                           // 7
        "    - {type: softmax}",                          // 8
        "    - {units: 3}",                               // 9
        "    - {type: linear, units: -1}"));              // 10
    assertThat(e.lines()).containsExactly(
        file() + ":3: model.layers[0].init: must be one of he, xavier (got \"glorot\")",
        file() + ":4: model.layers[1].units: relu is an activation and takes no units",
        file() + ":6: model.layers[2].init: sigmoid is an activation and takes no init",
        file() + ":7: model.layers[3].units: a linear layer needs units >= 1 (not set)",
        file() + ":8: model.layers[4].type: must be one of linear, relu, tanh, sigmoid, gelu (got \"softmax\")",
        file() + ":9: model.layers[5].type: must be one of linear, relu, tanh, sigmoid, gelu (not set)",
        file() + ":10: model.layers[6].units: must be >= 1 (got -1)");
  }

  @Test
  void defaultsAreValid() {
    LockstepConfig defaults = new LockstepConfig(null, new ModelConfig(List.of(new LayerSpec("linear", 10, null))),
        null, null, null, null, null, null, null, null);
    assertThat(ConfigValidator.problems(defaults)).isEmpty();
  }

  @Test
  void validatesRecordsBuiltInCodeToo() {
    LockstepConfig c = new LockstepConfig(new RunConfig("a b", null, 0, null, null), new ModelConfig(null),
        null, null, null, null, null, null, null, null);
    assertThat(ConfigValidator.problems(c)).containsExactly(
        new ConfigProblem("run.name",
            "must be letters, digits, '.', '_' or '-' (it names the run directory; got \"a b\")"),
        new ConfigProblem("run.epochs", "must be >= 1 (got 0)"),
        new ConfigProblem("model.layers", "must list at least one layer, e.g. [{type: linear, units: 10}]"));
  }

  @Test
  void boundaryValuesThatAreAllowed() {
    LockstepConfig c = ConfigLoader.load(withModel(dir,
        "optimizer: {momentum: 0, weight_decay: 0, beta1: 0, beta2: 0.9999999, lr: 1e-12}",
        "run: {max_steps: 0, seed: -9223372036854775808, name: A.b_c-9}",
        "update: {check_every: 0}",
        "backend: {threads: 0, device: cpu}",
        "data: {limit_train: 0, normalize: none, mean: -3}"));
    assertThat(c.run().seed()).isEqualTo(Long.MIN_VALUE);
    assertThat(c.optimizer().lr()).isEqualTo(1e-12);
  }

  private static ConfigException catchConfig(Path file) {
    try {
      ConfigLoader.load(file);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }
}
