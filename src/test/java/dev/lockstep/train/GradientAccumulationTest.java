package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * update.accumulate_steps on real MPJ multicore ranks: k micro-batches of B on N ranks train exactly like one rank
 * with batch k·N·B (same samples, mean gradient; float tolerance), with and without overlap and checkpointing;
 * replicas stay bit-identical; a resumed run continues bit for bit.
 */
class GradientAccumulationTest {
  @TempDir static Path dir;
  static Path config;
  static TrainingRuns.Result single; // 1 rank × batch 12, 8 steps

  @BeforeAll
  static void writeConfig() throws IOException {
    config = TrainingRuns.writeSmallConfig(dir);
  }

  /** np × k × B = 12 in every case; steps count updates, so both runs take the same number of optimizer steps. */
  @ParameterizedTest(name = "np={0}, k={1}, B={2}, bucket_mb {3}, segments {4}")
  @CsvSource({"2, 3, 2, 0, 0", "2, 2, 3, 0.001, 0", "3, 2, 2, 4, 2", "1, 4, 3, 0, 0", "2, 6, 1, 0.001, 2"})
  void kMicroBatchesOnNRanksMatchOneRankWithBatchKNB(int np, int k, int b, String bucketMb, int segments)
      throws IOException {
    String name = np + "-" + k + "-" + b + "-" + bucketMb + "-" + segments;
    if (single == null) { // the same reference for every case
      single = TrainingRuns.train(config, 1, "multicore", "data.batch_size=12", "run.max_steps=8", "run.name=single");
    }
    TrainingRuns.Result accumulated = TrainingRuns.train(config, np, "multicore", "data.batch_size=" + b,
        "update.accumulate_steps=" + k, "run.max_steps=8", "comm.bucket_mb=" + bucketMb,
        "checkpointing.segments=" + segments, "run.name=accum-" + name);
    assertThat(single.exitCode()).as(single.output()).isZero();
    assertThat(accumulated.exitCode()).as(accumulated.output()).isZero();

    TrainingRuns.assertSameWeights(single.runDir().resolve("model.safetensors"),
        accumulated.runDir().resolve("model.safetensors"), 1e-5, "1 rank × 12 vs " + np + " ranks × " + k + " × " + b);
    JsonNode s = accumulated.summary();
    assertThat(s.get("final_train_loss").asDouble()).isCloseTo(single.summary().get("final_train_loss").asDouble(),
        org.assertj.core.data.Offset.offset(1e-4));
    assertThat(s.get("steps").asLong()).isEqualTo(8);
    assertThat(s.get("samples").asLong()).isEqualTo(8 * 12);
    assertThat(s.get("effective_batch").asInt()).isEqualTo(12);
    assertThat(s.get("accumulate_steps").asInt()).isEqualTo(k);
    assertThat(s.get("replicas_identical").asBoolean()).isTrue();
    assertThat(accumulated.output()).contains(String.format("lockstep: %d rank(s) × batch %d%s (effective batch 12)",
        np, b, k > 1 ? " × " + k + " micro-batches" : ""));
  }

  @Test
  void stepsPerEpochCountUpdatesAndTheRemainderIsDropped() throws IOException {
    // 600 samples / (2 ranks × 5 × 7) = 8 updates per epoch (560 samples), the last 40 dropped
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "data.batch_size=5",
        "update.accumulate_steps=7", "run.name=epoch", "output.log_every=100");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.summary().get("steps").asLong()).isEqualTo(8);
    assertThat(run.summary().get("samples").asLong()).isEqualTo(560);
    assertThat(run.output()).contains("step 8/8 | epoch 1/1");
  }

  @Test
  void aResumedAccumulatingRunEndsBitIdentical() throws IOException {
    String[] common = {"data.batch_size=3", "update.accumulate_steps=2", "run.max_steps=10",
        "output.save_every_steps=4", "comm.bucket_mb=0.001", "optimizer.type=adam", "optimizer.lr=0.01"};
    TrainingRuns.Result whole = TrainingRuns.train(config, 2, "multicore", concat(common, "run.name=whole"));
    assertThat(whole.exitCode()).as(whole.output()).isZero();
    TrainingRuns.Result resumed = TrainingRuns.train(config, 2, "multicore",
        List.of("--resume", whole.runDir().resolve("checkpoints/step-000004").toString()),
        new ByteArrayOutputStream(), concat(common, "run.name=whole"));
    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(resumed.output()).contains("at step 4 (epoch 1, step 4 of the epoch)");
    // The resumed run continues in the same run directory: its final weights replace the first run's.
    assertThat(Files.readAllBytes(whole.runDir().resolve("checkpoints/step-000008/weights.f32")))
        .isEqualTo(Files.readAllBytes(resumed.runDir().resolve("checkpoints/step-000008/weights.f32")));
  }

  @Test
  void localSgdAccumulatesEachLocalStepAndEndsWithIdenticalReplicas() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "data.batch_size=3",
        "update.accumulate_steps=2", "update.mode=async", "update.async.algorithm=local_sgd",
        "update.async.period=3", "run.name=local");
    assertThat(run.exitCode()).as(run.output()).isZero();
    JsonNode s = run.summary();
    assertThat(s.get("effective_batch").asInt()).isEqualTo(12);
    assertThat(s.get("steps").asLong()).isEqualTo(50); // 600 / 12 local steps of 2 micro-batches each
    assertThat(s.get("replicas_identical").asBoolean()).isTrue(); // averaged at the epoch end
    assertThat(s.get("test_accuracy").asDouble()).isGreaterThan(0.3); // learns (chance: 0.1)

    // Each local step is the mean over its k micro-batches: on one rank, k=2 × 6 steps exactly like 1 × 12.
    String[] local = {"update.mode=async", "update.async.algorithm=local_sgd", "update.async.period=3",
        "run.max_steps=9"};
    TrainingRuns.Result whole = TrainingRuns.train(config, 1, "multicore", concat(local, "data.batch_size=12",
        "run.name=local-12"));
    TrainingRuns.Result micro = TrainingRuns.train(config, 1, "multicore", concat(local, "data.batch_size=6",
        "update.accumulate_steps=2", "run.name=local-2x6"));
    assertThat(whole.exitCode()).as(whole.output()).isZero();
    assertThat(micro.exitCode()).as(micro.output()).isZero();
    TrainingRuns.assertSameWeights(whole.runDir().resolve("model.safetensors"),
        micro.runDir().resolve("model.safetensors"), 1e-5, "local SGD: 1 × 12 vs 2 micro-batches × 6");
  }

  @Test
  void aParameterServerRunAccumulatesEachPushedGradient() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 2, "multicore", "data.batch_size=3",
        "update.accumulate_steps=4", "update.mode=async", "update.async.algorithm=parameter_server",
        "run.name=server");
    assertThat(run.exitCode()).as(run.output()).isZero();
    JsonNode s = run.summary();
    assertThat(s.get("effective_batch").asInt()).isEqualTo(24);
    // every push is k = 4 micro-batches of 3 (12 samples); the epoch ends when a worker runs out of its data
    assertThat(s.get("samples").asLong() % 12).isZero();
    assertThat(s.get("samples").asLong()).isBetween(300L, 600L);
    assertThat(s.get("replicas_identical").asBoolean()).isTrue(); // the workers fetch the server's weights at the end
    assertThat(s.get("test_accuracy").asDouble()).isGreaterThan(0.2);
  }

  @Test
  void accumulateStepsBelowOneIsAConfigError() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 1, "multicore", "update.accumulate_steps=0");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).contains("update.accumulate_steps").contains("must be >= 1");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
