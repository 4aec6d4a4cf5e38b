package dev.lockstep.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Convolutional models on real MPJ multicore ranks: N ranks ≡ 1 rank with the global batch including dropout and
 * sync batch norm, bit-identical replicas with local batch norm, checkpointing bit-identical to none, a resume
 * mid-epoch bit-identical with dropout, and the shipped configs/fashion-mnist-cnn.yaml training briefly.
 */
class ConvTrainingTest {
  @TempDir static Path dir;
  static Path config;

  /** A small CNN with every image layer, on the first Fashion-MNIST samples. */
  static String cnnConfig(Path outDir) {
    return """
        run: {name: c, seed: 11, epochs: 1, out_dir: "%s"}
        model:
          layers:
            - {type: conv2d, channels: 4, kernel: 3, stride: 2, padding: 1}
            - {type: relu}
            - {type: batch_norm, sync: true}
            - {type: max_pool2d, kernel: 2}
            - {type: conv2d, channels: 6, kernel: 3, padding: 1}
            - {type: tanh}
            - {type: avg_pool2d, kernel: 3, stride: 2, padding: 1}
            - {type: dropout, rate: 0.3}
            - {type: flatten}
            - {type: linear, units: 10}
        data: {limit_train: 600, limit_test: 200, batch_size: 12}
        optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
        update: {check_every: 1}
        backend: {device: cpu}
        output: {log_every: 1}
        """.formatted(outDir.toString().replace("\\", "/"));
  }

  @BeforeAll
  static void writeConfig() throws IOException {
    TrainingRuns.writeSmallConfig(dir); // skips without Fashion-MNIST
    config = dir.resolve("cnn.yaml");
    Files.writeString(config, cnnConfig(dir));
  }

  @ParameterizedTest(name = "np={0}, {1} steps")
  @CsvSource({"2, 8", "3, 8"})
  void nRanksMatchOneRankWithTheGlobalBatchWithDropoutAndSyncBatchNorm(int np, int steps) throws IOException {
    TrainingRuns.Result single = TrainingRuns.train(config, 1, "multicore", "data.batch_size=12",
        "run.max_steps=" + steps, "run.name=single-" + np);
    TrainingRuns.Result multi = TrainingRuns.train(config, np, "multicore", "data.batch_size=" + (12 / np),
        "run.max_steps=" + steps, "run.name=multi-" + np);
    assertThat(single.exitCode()).as(single.output()).isZero();
    assertThat(multi.exitCode()).as(multi.output()).isZero();
    // Every tensor, the batch-norm running statistics included.
    TrainingRuns.assertSameWeights(single.runDir().resolve("model.safetensors"),
        multi.runDir().resolve("model.safetensors"), 2e-5, "1 rank vs " + np + " ranks");
    assertThat(multi.summary().get("replicas_identical").asBoolean()).isTrue();
    assertThat(multi.summary().get("final_train_loss").asDouble())
        .isCloseTo(single.summary().get("final_train_loss").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void localBatchNormKeepsReplicasBitIdenticalAndExportsRebuildableTensors() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(config, 3, "multicore", "data.batch_size=4", "run.max_steps=12",
        "model.layers.2.sync=false", "run.name=local-bn");
    assertThat(run.exitCode()).as(run.output()).isZero(); // check_every: 1 compares weights and statistics
    JsonNode perRank = run.summary().get("per_rank");
    for (JsonNode r : perRank) {
      assertThat(r.get("weights_checksum").asText()).isEqualTo(perRank.get(0).get("weights_checksum").asText());
    }
    Map<String, float[]> t = TrainingRuns.readSafetensors(run.runDir().resolve("model.safetensors"));
    assertThat(t.keySet()).containsExactly("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
        "layers.4.weight", "layers.4.bias", "layers.9.weight", "layers.9.bias", "layers.2.running_mean",
        "layers.2.running_var");
    assertThat(t.get("layers.0.weight")).hasSize(4 * 1 * 3 * 3);
    assertThat(t.get("layers.4.weight")).hasSize(6 * 4 * 3 * 3);
    assertThat(t.get("layers.9.weight")).hasSize(10 * 6 * 4 * 4); // [6, 7, 7] pooled 3/2 pad 1 → [6, 4, 4]
    assertThat(t.get("layers.2.running_var")).hasSize(4).doesNotContain(1f); // moved from their init
    String header = new String(Files.readAllBytes(run.runDir().resolve("model.safetensors")), 8, 2000,
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(header).contains("\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,1,3,3]")
        .contains("\"layer_types\":\"0:conv2d,1:relu,2:batch_norm,3:max_pool2d,4:conv2d,5:tanh,6:avg_pool2d,"
            + "7:dropout,8:flatten,9:linear\"");
  }

  @Test
  void checkpointingGivesBitIdenticalWeights() throws IOException {
    TrainingRuns.Result plain = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6", "run.max_steps=6",
        "run.name=ckpt-0", "checkpointing.segments=0");
    assertThat(plain.exitCode()).as(plain.output()).isZero();
    for (String segments : List.of("auto")) { // 3 segments here; every plan is checked in CheckpointedStepTest
      TrainingRuns.Result ckpt = TrainingRuns.train(config, 2, "multicore", "data.batch_size=6", "run.max_steps=6",
          "run.name=ckpt-" + segments, "checkpointing.segments=" + segments);
      assertThat(ckpt.exitCode()).as(ckpt.output()).isZero();
      assertThat(ckpt.output()).contains("checkpointing 3 segments");
      assertThat(Files.readAllBytes(ckpt.runDir().resolve("model.safetensors"))).as("segments " + segments)
          .isEqualTo(Files.readAllBytes(plain.runDir().resolve("model.safetensors")));
    }
  }

  @Test
  void aRunResumedMidEpochWithDropoutAndBatchNormEndsBitIdentical() throws IOException {
    String[] common = {"data.batch_size=6", "run.max_steps=12", "output.save_every_steps=5",
        "model.layers.2.sync=false"};
    TrainingRuns.Result whole = TrainingRuns.train(config, 2, "multicore", concat(common, "run.name=whole"));
    assertThat(whole.exitCode()).as(whole.output()).isZero();
    TrainingRuns.Result broken = TrainingRuns.train(config, 2, "multicore", concat(common, "run.name=broken",
        "simulate.fail.rank=1", "simulate.fail.step=8", "simulate.fail.how=exit"));
    assertThat(broken.exitCode()).as(broken.output()).isEqualTo(3);
    assertThat(broken.runDir().resolve("checkpoints/step-000005/buffers.f32")).exists();
    TrainingRuns.Result resumed = TrainingRuns.train(config, 2, "multicore",
        List.of("--resume", broken.runDir().toString()), new ByteArrayOutputStream(),
        concat(common, "run.name=broken", "simulate.fail.how=none"));
    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    assertThat(resumed.output()).contains("at step 5");
    assertThat(Files.readAllBytes(broken.runDir().resolve("model.safetensors")))
        .isEqualTo(Files.readAllBytes(whole.runDir().resolve("model.safetensors")));
  }

  @Test
  void theShippedCnnConfigTrainsBriefly() throws IOException {
    TrainingRuns.Result run = TrainingRuns.train(Path.of("configs/fashion-mnist-cnn.yaml"), 2, "multicore",
        "run.out_dir=" + dir, "run.max_steps=25", "data.limit_test=500", "output.log_every=25");
    assertThat(run.exitCode()).as(run.output()).isZero();
    JsonNode summary = run.summary();
    assertThat(summary.get("steps").asLong()).isEqualTo(25);
    assertThat(summary.get("replicas_identical").asBoolean()).isTrue();
    assertThat(summary.get("test_accuracy").asDouble()).as(run.output()).isGreaterThan(0.55);
    assertThat(run.output()).contains("conv2d(1→32, 3x3 pad 1) → relu → max_pool2d(2x2)");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
