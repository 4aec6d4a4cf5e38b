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
      run          | max_restarts | -1         | must be >= 0 (got -1)
      run          | out_dir      | ' '        | must not be empty
      data         | format       | parquet    | must be one of idx, csv, synthetic, text (got "parquet")
      data         | path         | ''         | must not be empty
      data         | context      | 0          | must be >= 1 (got 0)
      data         | val_fraction | 1          | must be in (0, 1) (got 1)
      data         | dir          | ''         | must not be empty
      data         | train_images | ''         | must not be empty
      data         | batch_size   | 0          | must be >= 1 (got 0)
      data         | normalize    | minmax     | must be one of none, unit, standard (got "minmax")
      data         | std          | 0          | must be > 0 (got 0)
      data         | mean         | 1e999      | must be a finite number (got Infinity)
      data         | limit_train  | -5         | must be >= 0 (got -5)
      data         | limit_test   | -1         | must be >= 0 (got -1)
      data         | source       | nfs        | must be one of local, broadcast (got "nfs")
      objective    | type         | softmax    | must be one of cross_entropy, binary_cross_entropy, mse, mae, huber, hinge, kl_divergence (got "softmax")
      objective    | label_smoothing | 1       | must be in [0, 1) (got 1)
      objective    | delta        | 0          | must be > 0 (got 0)
      objective    | multiclass   | pairwise   | must be one of crammer_singer, one_vs_rest (got "pairwise")
      objective    | l2           | -0.5       | must be >= 0 (got -0.5)
      objective    | l1           | -1         | must be >= 0 (got -1)
      objective    | top_k        | -1         | must be >= 0 (got -1)
      optimizer    | type         | lbfgs      | must be one of sgd, adam, adamw (got "lbfgs")
      optimizer    | lr           | -1         | must be > 0 (got -1)
      optimizer    | lr           | 0          | must be > 0 (got 0)
      optimizer    | momentum     | 1          | must be in [0, 1) (got 1)
      optimizer    | momentum     | -0.1       | must be in [0, 1) (got -0.1)
      optimizer    | weight_decay | -0.0001    | must be >= 0 (got -1.0E-4)
      optimizer    | beta1        | 1.5        | must be in [0, 1) (got 1.5)
      optimizer    | beta2        | 1.0        | must be in [0, 1) (got 1)
      optimizer    | eps          | 0.0        | must be > 0 (got 0)
      update       | mode         | lazy       | must be one of sync, async, auto (got "lazy")
      update       | check_every  | -1         | must be >= 0 (got -1)
      update       | accumulate_steps | 0      | must be >= 1 (got 0)
      checkpointing| segments     | 4          | 4 segments but the model has 1 layer (use 1 to 1, 0 or auto)
      checkpointing| segments     | 99999999999 | 99999999999 segments but the model has 1 layer (use 1 to 1, 0 or auto)
      checkpointing| segments     | Auto       | must be 0, a number of segments >= 1, or auto (got "Auto")
      checkpointing| max_activation_mb | -1    | must be >= 0 (got -1)
      checkpointing| segments     | some       | must be 0, a number of segments >= 1, or auto (got "some")
      checkpointing| segments     | -2         | must be 0, a number of segments >= 1, or auto (got "-2")
      backend      | device       | tpu        | must be one of auto, cpu, cuda (got "tpu")
      backend      | threads      | -1         | must be >= 0 (got -1)
      output       | log_every    | 0          | must be >= 1 (got 0)
      output       | eval_every_steps | -1     | must be >= 0 (got -1)
      comm         | timeout_s    | 0          | must be > 0 (got 0)
      comm         | warn_after_s | -1         | must be > 0 (got -1)
      comm         | algorithm    | tree       | must be one of auto, shm, shm_process, ring, mpj, nccl (got "tree")
      comm         | bucket_mb    | -1         | must be >= 0 (got -1)
      comm         | bucket_mb    | 1e999      | must be a finite number (got Infinity)
      comm         | compression  | int8       | must be one of none, bf16, fp16 (got "int8")
      """)
  void outOfRangeOrUnsupportedValueNamesKeyPathAndLine(String section, String key, String value, String problem) {
    String yamlValue = value.isBlank() ? "'" + value + "'" : value;
    assertThat(error(withModel(dir, section + ": {" + key + ": " + yamlValue + "}")))
        .isEqualTo(file() + ":4: " + section + "." + key + ": " + problem);
  }

  @ParameterizedTest(name = "update.{0}.{1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      async | algorithm       | gossip | must be one of parameter_server, local_sgd (got "gossip")
      async | max_staleness   | -1     | must be >= 0 (got -1)
      async | period          | 0      | must be >= 1 (got 0)
      async | period_ms       | -5     | must be >= 0 (got -5)
      auto  | window_steps    | 0      | must be >= 1 (got 0)
      auto  | recover_ratio   | 1      | must be > 1 (got 1)
      auto  | straggler_ratio | 1.1    | must be > update.auto.recover_ratio (1.15), or auto would switch back and forth (got 1.1)
      """)
  void asyncAndAutoKeysAreCheckedOnTheirOwnLine(String sub, String key, String value, String problem) {
    assertThat(error(withModel(dir, "update:", "  mode: auto", "  " + sub + ":", "    " + key + ": " + value)))
        .isEqualTo(file() + ":7: update." + sub + "." + key + ": " + problem);
  }

  @ParameterizedTest(name = "output.{0}")
  @CsvSource(delimiter = '|', textBlock = """
      eval_every_steps | use local_sgd or auto, or 0 to evaluate at epoch ends
      save_every_steps | use output.save_every_epochs
      """)
  void withinEpochPointsAreRejectedForAnAsyncParameterServer(String key, String advice) {
    assertThat(error(withModel(dir, "update: {mode: async, async: {algorithm: parameter_server}}",
        "output: {" + key + ": 50}"))).isEqualTo(file() + ":5: output." + key + ": is not supported with update.mode "
        + "async and algorithm parameter_server: its ranks hold the same weights only at epoch ends; " + advice);
    // auto keeps them for its sync phases (and epoch ends), deferring marks that fall in parameter server phases
    assertThat(ConfigLoader.load(withModel(dir, "update: {mode: auto, async: {algorithm: parameter_server}}",
        "output: {" + key + ": 50}")).update().mode()).isEqualTo("auto");
  }

  @Test
  void ncclOnTheCpuBackendIsRejectedOnItsLine() {
    assertThat(error(withModel(dir, "backend: {device: cpu}", "comm: {algorithm: nccl}")))
        .isEqualTo(file() + ":5: comm.algorithm: nccl reduces the gradients on the GPUs: it needs backend.device cuda "
            + "or auto, not cpu");
    assertThat(ConfigLoader.load(withModel(dir, "comm: {algorithm: nccl}")).comm().algorithm()).isEqualTo("nccl");
  }

  @ParameterizedTest(name = "simulate.slow_ranks[0]: {0}")
  @CsvSource(delimiter = '|', textBlock = """
      {factor: 3}                              | rank      | must name the rank to slow down (>= 0) (not set)
      {rank: 1, factor: 0.5}                   | factor    | must be >= 1 (got 0.5)
      {rank: 1, factor: 2, from_step: -1}      | from_step | must be >= 0 (got -1)
      {rank: 1, factor: 2, from_step: 9, to_step: 9} | to_step | must be > from_step (9) or 0 for no end (got 9)
      """)
  void slowRanksAreChecked(String entry, String key, String problem) {
    assertThat(error(withModel(dir, "simulate:", "  slow_ranks:", "    - " + entry)))
        .startsWith(file() + ":").endsWith(": simulate.slow_ranks[0]." + key + ": " + problem);
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
  void broadcastDataIsNotForTextYet() {
    assertThat(error(withModel(dir, "data: {format: text, source: broadcast}")))
        .isEqualTo(file() + ":4: data.source: broadcast is not supported for format text yet; use local (the text "
            + "at data.path on every host)");
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

  private static final String LAYERS = "linear, relu, tanh, sigmoid, gelu, conv2d, max_pool2d, avg_pool2d, flatten, "
      + "dropout, batch_norm";

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
        file() + ":8: model.layers[4].type: must be one of " + LAYERS + " (got \"softmax\")",
        file() + ":9: model.layers[5].type: must be one of " + LAYERS + " (not set)",
        file() + ":10: model.layers[6].units: must be >= 1 (got -1)");
  }

  @Test
  void sequenceLayersNeedTextDataAndTheirOwnKeys() {
    ConfigException e = catchConfig(write(dir,
        "model:",
        "  layers:",
        "    - {type: embedding}",                              // 3
        "    - {type: transformer_block, heads: 0}",            // 4
        "    - {type: layer_norm, heads: 2}",                   // 5
        "    - {type: linear, units: 4, positional: true}",     // 6
        "    - {type: lm_head, units: 5}"));                    // 7
    assertThat(e.lines()).containsExactly(
        file() + ":3: model.layers[0].type: embedding is a sequence layer: it needs data.format text",
        file() + ":3: model.layers[0].units: an embedding needs units >= 1, its channels per position (not set)",
        file() + ":4: model.layers[1].type: transformer_block is a sequence layer: it needs data.format text",
        file() + ":4: model.layers[1].heads: must be >= 1 (got 0)",
        file() + ":5: model.layers[2].type: layer_norm is a sequence layer: it needs data.format text",
        file() + ":5: model.layers[2].heads: only a transformer_block has heads",
        file() + ":6: model.layers[3].positional: only an embedding has positional",
        file() + ":7: model.layers[4].type: lm_head is a sequence layer: it needs data.format text",
        file() + ":7: model.layers[4].units: lm_head takes no units (its width comes from the layer before, its "
            + "outputs from the vocabulary)");
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
        "data: {limit_train: 0, normalize: none, mean: -3}",
        "checkpointing: {segments: 1, max_activation_mb: 0}"));
    assertThat(c.run().seed()).isEqualTo(Long.MIN_VALUE);
    assertThat(c.optimizer().lr()).isEqualTo(1e-12);
  }

  @Test
  void segmentsAcceptAutoAndUpToOneSegmentPerLayer() {
    Path f = write(dir, "model:", "  layers: [{type: linear, units: 8}, {type: relu}, {type: linear, units: 2}]",
        "checkpointing: {segments: auto, max_activation_mb: 0.5}");
    assertThat(ConfigLoader.load(f).checkpointing()).isEqualTo(new CheckpointingConfig("auto", 0.5));
    assertThat(ConfigLoader.load(f, List.of("checkpointing.segments=3")).checkpointing().segments()).isEqualTo("3");
    assertThat(error(f, "checkpointing.segments=4"))
        .isEqualTo("--set checkpointing.segments=4: checkpointing.segments: 4 segments but the model has 3 layers "
            + "(use 1 to 3, 0 or auto)");
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
