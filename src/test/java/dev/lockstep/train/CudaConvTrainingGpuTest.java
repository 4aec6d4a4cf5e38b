package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.tensor.CudaBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short training run of a CNN with every image layer (conv2d stride 2 with padding, batch norm, both poolings,
 * dropout, flatten) through the launcher on {@code backend.device: cuda}, against the same run on the CPU: the
 * weights, batch-norm statistics and losses must agree to float rounding (dropout drops the same elements on
 * both). Synthetic [3, 9, 11] images: the device machine has no datasets. Runs on the device only.
 */
@Tag("gpu")
class CudaConvTrainingGpuTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void writeConfig() throws IOException {
    String reason = CudaBackend.unavailableReason().orElse(null);
    if (reason != null && Boolean.getBoolean("lockstep.requireGpu")) {
      fail("lockstep.requireGpu is set but " + reason);
    }
    assumeTrue(reason == null, () -> reason + " (GPU tests skipped)");
    config = dir.resolve("cnn.yaml");
    Files.writeString(config, """
        run: {name: c, seed: 13, epochs: 1, out_dir: "%s"}
        model:
          layers:
            - {type: conv2d, channels: 5, kernel: 3, stride: 2, padding: 1}
            - {type: relu}
            - {type: batch_norm, sync: true}
            - {type: max_pool2d, kernel: 2}
            - {type: conv2d, channels: 4, kernel: 3, padding: 1}
            - {type: tanh}
            - {type: avg_pool2d, kernel: 3, stride: 2, padding: 1}
            - {type: dropout, rate: 0.3}
            - {type: flatten}
            - {type: linear, units: 5}
        data:
          format: synthetic
          shape: [3, 9, 11]
          batch_size: 12
          synthetic: {train_samples: 240, test_samples: 60, features: 297, outputs: 5, hidden: 16, seed: 3}
        optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
        update: {check_every: 1}
        output: {log_every: 1}
        """.formatted(dir.toString().replace("\\", "/")));
  }

  @Test
  void cudaRunMatchesTheCpuRun() throws IOException {
    TrainingRuns.Result cpu = TrainingRuns.train(config, 1, "multicore", "backend.device=cpu", "run.max_steps=12",
        "run.name=cpu");
    TrainingRuns.Result gpu = TrainingRuns.train(config, 1, "multicore", "backend.device=cuda", "run.max_steps=12",
        "run.name=cuda");
    assertThat(cpu.exitCode()).as(cpu.output()).isZero();
    assertThat(gpu.exitCode()).as(gpu.output()).isZero();
    assertThat(gpu.output()).as("ran on the GPU").contains(" on cuda | ");
    TrainingRuns.assertSameWeights(cpu.runDir().resolve("model.safetensors"),
        gpu.runDir().resolve("model.safetensors"), 1e-3, "cpu vs cuda");
    assertThat(gpu.summary().get("final_train_loss").asDouble())
        .isCloseTo(cpu.summary().get("final_train_loss").asDouble(), Offset.offset(1e-3));
  }

  @Test
  void twoRanksOnTheGpuMatchOneWithTheGlobalBatch() throws IOException {
    TrainingRuns.Result one = TrainingRuns.train(config, 1, "multicore", "backend.device=cuda", "run.max_steps=8",
        "run.name=one");
    TrainingRuns.Result two = TrainingRuns.train(config, 2, "multicore", "backend.device=cuda", "run.max_steps=8",
        "data.batch_size=6", "run.name=two");
    assertThat(one.exitCode()).as(one.output()).isZero();
    assertThat(two.exitCode()).as(two.output()).isZero();
    assertThat(two.summary().get("replicas_identical").asBoolean()).isTrue();
    TrainingRuns.assertSameWeights(one.runDir().resolve("model.safetensors"),
        two.runDir().resolve("model.safetensors"), 2e-5, "1 rank vs 2 ranks on cuda");
  }
}
