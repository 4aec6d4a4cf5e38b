package dev.lockstep.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The effective config: every key written out, snake_case, and read back to an equal record. */
class ConfigWriterTest {
  @TempDir
  Path dir;

  @Test
  void defaultsRoundTrip() {
    LockstepConfig c = ConfigLoader.fromYaml("model: {layers: [{type: linear, units: 10}]}\n", "t", List.of());
    assertThat(ConfigLoader.fromYaml(ConfigWriter.toYaml(c), "written", List.of())).isEqualTo(c);
  }

  @Test
  void everyKeyChangedFromItsDefaultRoundTrips() throws Exception {
    LockstepConfig c = new LockstepConfig(
        new RunConfig("exp-7.b", -123456789012345L, 3, 5000L, "/tmp/out dir"),
        new ModelConfig(List.of(new LayerSpec("linear", 33, "xavier"), new LayerSpec("gelu", null, null),
            new LayerSpec("linear", 1, "he"), new LayerSpec("sigmoid", null, null))),
        new DataConfig("idx", "data/x", "a.gz", "b", "c", "d: e", 7, false, "unit", 0.1, 1e-7, 1000, 10, null, null),
        ObjectiveConfig.of("mse"),
        new OptimizerConfig("adamw", 3e-4, 0.0, false, 0.01, 0.85, 0.95, 1e-10,
            new ScheduleConfig("step", 100L, 2000L, 0.5, 1e-6)),
        new UpdateConfig("sync", 0),
        new CheckpointingConfig("0", 0.0),
        new BackendConfig("cpu", 3, true),
        new OutputConfig(1, false, true, true),
        new CommConfig(7.5, "mpj", 2.5, 12.0));
    assertThat(ConfigValidator.problems(c)).isEmpty();

    String yaml = ConfigWriter.toYaml(c);
    Path f = Files.writeString(dir.resolve("effective.yaml"), yaml);
    assertThat(ConfigLoader.load(f)).isEqualTo(c);
  }

  @Test
  void writesSnakeCaseKeysInRecordOrderAndOmitsWhatActivationsDoNotHave() {
    LockstepConfig c = ConfigLoader.fromYaml(
        "model: {layers: [{type: linear, units: 4}, {type: relu}, {type: linear, units: 2}]}\n", "t", List.of());
    String yaml = ConfigWriter.toYaml(c);
    assertThat(yaml).startsWith("run:\n  name: run\n  seed: 42\n  epochs: 1\n  max_steps: 0\n  out_dir: runs\n"
        + "  max_restarts: 0\nmodel:\n");
    assertThat(yaml).contains(
        "    - type: linear\n      units: 4\n      init: he\n    - type: relu\n    - type: linear\n",
        "  batch_size: 128\n", "  weight_decay: 0.0\n", "  warmup_steps: 0\n", "  check_every: 100\n",
        "  segments: \"0\"\n", "  timeout_s: 120.0\n", "  eval_each_epoch: true\n");
    assertThat(yaml).doesNotContain("null", "batchSize", "---");
  }

  @Test
  void theShippedConfigRoundTrips() {
    LockstepConfig c = ConfigLoader.load(Path.of("configs/fashion-mnist-mlp.yaml"));
    assertThat(ConfigLoader.fromYaml(ConfigWriter.toYaml(c), "written", List.of())).isEqualTo(c);
  }
}
